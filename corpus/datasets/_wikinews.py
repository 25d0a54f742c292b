"""Wikipedia "Portal:Current events" daily pages as Markdown (markitdown output), owned here and only here.

One file per day::

    ---
    layout: post
    date: 2025-01-01
    ---
    #### Armed conflicts and attacks                      <- section (a few older days: **Section**)
    * [Gaza war](https://en.wikipedia.org/wiki/Gaza_war "Gaza war")          <- story line
      * [Israeli invasion of the Gaza Strip](...)                             <- story line
        * [Israeli](https://en.wikipedia.org/wiki/Israel_Defense_Forces "Israel Defense Forces")
          airstrikes ... kill at least 26 Palestinians ... [(Al Jazeera)](https://www.aljazeera.com/...)
                                                           ^ leaf bullet citing a source = one event

Bullets are ``*``, ``+`` or ``-``, nested by indentation. A leaf bullet (no deeper bullet under it)
that cites an outlet is an event; its parents are the story line. A citation is a link to a site
other than Wikipedia, either written ``[(Outlet)](url)`` anywhere or trailing the summary. Links
to Wikipedia pages are the entities the editors linked.

What is not an event is reported, never dropped silently: a leaf bullet that cites no source, a
bullet that cites a source but has bullets under it, a bullet outside any section, a section
heading that is not one of the ten known sections, a line that is neither a heading nor a bullet.
A line holding only citations right after a bullet (a wrapped bullet) is joined to that bullet.
"""

from __future__ import annotations

__all__ = ["SECTIONS", "Link", "Event", "parse_day", "section_id", "portal_url"]

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote

from ..errors import Rejection

# label id -> the section's name on the portal
SECTIONS = {
    "armed_conflicts_attacks": "Armed conflicts and attacks",
    "arts_culture": "Arts and culture",
    "business_economy": "Business and economy",
    "disasters_accidents": "Disasters and accidents",
    "health_environment": "Health and environment",
    "international_relations": "International relations",
    "law_crime": "Law and crime",
    "politics_elections": "Politics and elections",
    "science_technology": "Science and technology",
    "sports": "Sports",
}
# Spellings seen on the portal besides the names above (compared case-folded).
_VARIANTS = {
    "attacks and armed conflicts": "armed_conflicts_attacks",
    "armed conflict and attacks": "armed_conflicts_attacks",
    "disasters and incidents": "disasters_accidents",
    "disaster and accidents": "disasters_accidents",
    "business and econony": "business_economy",
    "sport": "sports",
}
_BY_NAME = {name.casefold(): sid for sid, name in SECTIONS.items()} | _VARIANTS

_WIKI = "https://en.wikipedia.org/wiki/"
_WIKI_ANY = re.compile(r"^https?://(?P<lang>[a-z][a-z-]*)\.(?:m\.)?wikipedia\.org/wiki/(?P<page>[^#?]*)")
# [text](url "title"); the url may hold one level of unencoded parentheses ("..._(2025)").
_LINK = re.compile(
    r"\[(?P<text>[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*)\]"
    r"\((?P<url>[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+\"(?P<title>(?:[^\"\\]|\\.)*)\")?\)"
)
_BULLET = re.compile(r"^(?P<indent>[ \t]*)[*+-][ \t]+(?P<text>.*)$")
_HEADING = re.compile(r"^(?:#{1,6}[ \t]+(?P<h>.+?)[ \t#]*|\*\*(?P<b>[^*]+)\*\*[ \t]*)$")
_DATE_LINE = re.compile(r"^date:\s*(\d{4})-(\d{2})-(\d{2})\b")
_FILE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_EMPHASIS = re.compile(r"(?<!\w)[*_]+|[*_]+(?!\w)")
_EMPTY_PARENS = re.compile(r"\(\s*\)(?:\s*[,;]\s*\(\s*\))*")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_CITATION_TEXT = re.compile(r"\s*[*_]*\s*<?\s*\(.*\)\s*[*_]*\s*")
_SEPARATORS = re.compile(r"^[\s,;.()]*$")


@dataclass(frozen=True)
class Link:
    """A link to a Wikipedia page: the words linked and the page's title."""

    text: str
    page: str


@dataclass(frozen=True)
class Event:
    """One event summary (a leaf bullet citing a source)."""

    date: date
    line: int
    section: str
    heading: str
    story_line: tuple[str, ...]
    text: str
    links: tuple[Link, ...]
    outlets: tuple[str, ...]
    outlet_urls: tuple[str, ...]
    raw: str


def section_id(heading: str) -> str | None:
    """The section label id of a heading as written (case and known misspellings forgiven), or None."""
    key = " ".join(heading.replace("&", "and").split()).strip(" :").casefold()
    return _BY_NAME.get(key)


def portal_url(day: date) -> str:
    """The day's page on the portal (the attribution the CC BY-SA licence asks for)."""
    return f"{_WIKI}Portal:Current_events/{day.year}_{day.strftime('%B')}_{day.day}"


def _page_title(wiki: re.Match, title: str | None) -> str:
    """The linked page's title: the link's tooltip (markitdown copies it from the page), else the URL's path.

    Pages of other-language Wikipedias keep their prefix (``zh:天津…``), as the portal writes them.
    """
    if title:
        return title.replace('\\"', '"')
    page = unquote(wiki.group("page")).replace("_", " ")
    return page if wiki.group("lang") == "en" else f"{wiki.group('lang')}:{page}"


def _plain(s: str) -> str:
    return " ".join(_EMPHASIS.sub("", s).split())


def _outlet_name(text: str) -> str:
    return _plain(text).strip(" ()<>[]")


def _render(markdown: str) -> tuple[str, tuple[Link, ...], tuple[str, ...], tuple[str, ...]]:
    """Plain text, Wikipedia links, outlet names and outlet URLs of one bullet's Markdown."""
    pieces: list[str] = []
    links: list[Link] = []
    cites: list[tuple[int, str, str]] = []  # (index in pieces, outlet, url)
    pos = 0
    matches = list(_LINK.finditer(markdown))
    # the trailing run of non-Wikipedia links (only separators between them) are citations
    trailing = len(matches)
    end = len(markdown)
    for k in range(len(matches) - 1, -1, -1):
        m = matches[k]
        if _WIKI_ANY.match(m.group("url")) or not _SEPARATORS.match(markdown[m.end():end]):
            break
        trailing, end = k, m.start()
    for k, m in enumerate(matches):
        pieces.append(markdown[pos:m.start()])
        pos = m.end()
        text, url = m.group("text"), m.group("url")
        wiki = _WIKI_ANY.match(url)
        if wiki:
            links.append(Link(_plain(text), _page_title(wiki, m.group("title"))))
            pieces.append(text)
        elif k >= trailing or _CITATION_TEXT.fullmatch(text):
            cites.append((len(pieces), _outlet_name(text), url))
            pieces.append("")
        else:
            pieces.append(text)
    pieces.append(markdown[pos:])
    body = _plain(_EMPTY_PARENS.sub("", "".join(pieces)))
    body = _SPACE_BEFORE_PUNCT.sub(r"\1", body).strip(" ,;")
    return body, tuple(links), tuple(c[1] for c in cites), tuple(c[2] for c in cites)


def _front_matter_date(lines: list[str], where: str) -> tuple[date | None, int]:
    """The ``date:`` of the YAML front matter (or of the file name) and the first line after it."""
    start = 0
    found: date | None = None
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                start = i + 1
                break
            m = _DATE_LINE.match(lines[i])
            if m:
                found = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if found is None:
        m = _FILE_DATE.search(where.rsplit("/", 1)[-1])
        if m:
            found = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return found, start


def parse_day(text: str, where: str) -> tuple[list[Event], list[Rejection]]:
    """Parse one day's page into its events; everything else that is not an event is reported.

    Returns
    -------
    (events, rejections) : events in page order; one :class:`Rejection` per unusable line or bullet.
    """
    lines = text.splitlines()
    rejections: list[Rejection] = []
    try:
        day, start = _front_matter_date(lines, where)
    except ValueError as exc:
        return [], [Rejection(where, f"invalid date in the front matter ({exc}); expected date: YYYY-MM-DD.")]
    if day is None:
        return [], [Rejection(where, "no date: expected a front matter line 'date: YYYY-MM-DD' or a file name "
                                     "starting with YYYY-MM-DD.")]
    # bullets: [indent, markdown, line, section id, heading]
    bullets: list[list] = []
    section, heading = None, ""
    for i in range(start, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        b = _BULLET.match(line)
        h = None if b else _HEADING.match(line.strip())
        if h:
            heading = (h.group("h") or h.group("b")).strip()
            section = section_id(heading)
            if section is None:
                rejections.append(Rejection(
                    f"{where}:{i + 1}", f"section heading {heading!r} is not one of the portal's sections "
                    f"{sorted(SECTIONS.values())}; its events are not read. Add the spelling to _VARIANTS."))
            continue
        if b:
            indent = len(b.group("indent").expandtabs(4))
            bullets.append([indent, b.group("text"), i + 1, section, heading])
            continue
        if bullets and all(not _WIKI_ANY.match(m.group("url")) for m in _LINK.finditer(line)) \
                and _SEPARATORS.match(_LINK.sub("", line)) and _LINK.search(line):
            bullets[-1][1] += " " + line.strip()  # a citation that wrapped onto its own line
            continue
        rejections.append(Rejection(f"{where}:{i + 1}", f"line is neither a section heading nor a bullet: "
                                                        f"{line.strip()[:80]!r}; not read."))
    events: list[Event] = []
    stack: list[tuple[int, str]] = []  # (indent, plain text) of the open parent bullets
    for k, (indent, md, lineno, sec, head) in enumerate(bullets):
        if k and (bullets[k - 1][3], bullets[k - 1][4]) != (sec, head):
            stack = []  # a new section starts a new tree
        while stack and stack[-1][0] >= indent:
            stack.pop()
        body, links, outlets, urls = _render(md)
        nxt = bullets[k + 1] if k + 1 < len(bullets) else None
        is_leaf = nxt is None or nxt[0] <= indent or nxt[3] != sec or nxt[4] != head
        loc = f"{where}:{lineno}"
        if sec is None:
            if head:
                pass  # already reported with its heading
            else:
                rejections.append(Rejection(loc, "bullet before any section heading; not read."))
        elif not is_leaf:
            if outlets:
                rejections.append(Rejection(loc, f"bullet cites {', '.join(outlets)} but has bullets under it; "
                                                 f"read as story line, not as an event."))
        elif not outlets:
            rejections.append(Rejection(loc, f"event bullet cites no source: {body[:80]!r}; not read."))
        elif not body:
            rejections.append(Rejection(loc, "event bullet has citations but no summary text; not read."))
        else:
            events.append(Event(
                date=day, line=lineno, section=sec, heading=head,
                story_line=tuple(t for _, t in stack), text=body, links=links, outlets=outlets,
                outlet_urls=urls, raw=md,
            ))
        stack.append((indent, body))
    return events, rejections
