"""The seed article text format written by the user's scraper (owned here, and only here).

::

    Asia                                   <- the site's section
    US, Japan and South Korea formalize…   <- the title (often repeated on the next line)
    Jul 28. (EUROPA PRESS) –               <- dateline: date as written, agency
    The governments of …                   <- body paragraphs
    Source link                            <- trailing boilerplate: source link, tags
    Tags
"""

from __future__ import annotations

import re

from ._text import clean, complete_date, parse_date
from .article import Article
from .errors import InputError

_DATELINE = re.compile(
    r"^(?P<date>(?:\d{4}-\d{1,2}-\d{1,2})|(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,?\s+\d{4})?)|(?:\d{1,2}\s+[A-Z][a-z]{2,8}\.?(?:\s+\d{4})?))"
    r"\.?\s*\((?P<source>[^)]{1,80})\)\s*[-–—]?\s*(?P<rest>.*)$",
    re.S,
)
_SOURCE_LINK = re.compile(r"^source\s+link\b[:\s]*(?P<url>.*)$", re.I | re.S)
_TAGS = re.compile(r"^tags\b[:\s]*(?P<tags>.*)$", re.I | re.S)
_URL = re.compile(r"^(https?://\S+)$")


def _blocks(text: str) -> list[str]:
    return [" ".join(b.split("\n")).strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def _looks_like_section(block: str) -> bool:
    return len(block) <= 40 and len(block.split()) <= 4 and not block.endswith((".", "!", "?", ":"))


def parse_seed_text(text: str, where: str) -> Article:
    """Parse one article in the seed text format into an :class:`Article` (``id`` left empty).

    Raises
    ------
    InputError
        When no title and body paragraph can be found.
    """
    raw = text
    blocks = _blocks(clean(text))
    section = ""
    if len(blocks) >= 3 and _looks_like_section(blocks[0]) and not _DATELINE.match(blocks[0]):
        section = blocks.pop(0)
    if not blocks:
        raise InputError(f"{where}: no title found; expected a section line, a title, a dateline and body paragraphs.")
    title = blocks.pop(0)
    while blocks and blocks[0] == title:
        blocks.pop(0)
    date_text, source = "", ""
    if blocks:
        m = _DATELINE.match(blocks[0])
        if m:
            blocks.pop(0)
            date_text, source = m.group("date").strip(), m.group("source").strip()
            if m.group("rest").strip():
                blocks.insert(0, m.group("rest").strip())
    body, url, tags = [], "", []
    tail = False
    mode = ""
    for block in blocks:
        sl, tg = _SOURCE_LINK.match(block), _TAGS.match(block)
        if sl:
            tail, mode = True, "link"
            url = url or sl.group("url").strip()
        elif tg:
            tail, mode = True, "tags"
            tags += [t.strip() for t in re.split(r"[,;|]", tg.group("tags")) if t.strip()]
        elif not tail:
            body.append(block)
        elif mode == "link" and _URL.match(block) and not url:
            url = block
        else:
            # Anything after the boilerplate starts is a tag list (the scraper writes tags last).
            tags += [t.strip() for t in re.split(r"[,;|]", block) if t.strip()]
    if not body:
        raise InputError(
            f"{where}: no body paragraph after the title {title[:60]!r}; expected the seed article format "
            f"(section line, title, dateline, body paragraphs, then 'Source link' and 'Tags'). "
            f"Check that paragraphs are separated by blank lines."
        )
    year, month, day = parse_date(date_text) if date_text else (None, None, None)
    year, month, day = complete_date(year, month, day, url)
    return Article(
        title=title,
        body="\n\n".join(body),
        raw=raw,
        section=section,
        date_text=date_text,
        year=year,
        month=month,
        day=day,
        source=source,
        url=url,
        tags=tuple(tags),
        origin=where,
    )
