"""Reuters-21578 SGML (Distribution 1.0, latin-1), owned here and only here.

One file holds about 1,000 ``<REUTERS>`` elements::

    <REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5544" NEWID="1">
    <DATE>26-FEB-1987 15:01:01.79</DATE>
    <TOPICS><D>cocoa</D></TOPICS>
    <PLACES><D>el-salvador</D><D>usa</D><D>uruguay</D></PLACES>
    <PEOPLE></PEOPLE> <ORGS></ORGS> <EXCHANGES></EXCHANGES> <COMPANIES></COMPANIES>
    <UNKNOWN> ... </UNKNOWN>
    <TEXT>&#2;
    <TITLE>BAHIA COCOA REVIEW</TITLE>
    <DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued ...
     Reuter
    &#3;</BODY></TEXT>
    </REUTERS>

``<TEXT TYPE="BRIEF">`` documents have a title only; ``<TEXT TYPE="UNPROC">`` ones have neither title
nor body tags (their whole text is the body). Control characters appear as ``&#N;`` entities and are
dropped; ``&lt;``, ``&amp;``, ``&gt;`` are unescaped. The body's closing ``Reuter``/``REUTER``
signature line is boilerplate and is removed from ``body`` (``raw`` keeps the element verbatim).
"""

from __future__ import annotations

__all__ = ["FACETS", "CATEGORY_FILES", "SGML_GLOB", "ReutersDoc", "parse_sgml", "read_category_list"]

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import InputError, Rejection

FACETS = ("topics", "places", "people", "orgs")
CATEGORY_FILES = {f: f"all-{f}-strings.lc.txt" for f in FACETS}
SGML_GLOB = "reut2-*.sgm"
ENCODING = "latin-1"

_ATTR = re.compile(r'([A-Z]+)="([^"]*)"')
# "[^<]*(?:<(?!/TAG>)[^<]*)*" is ".*?" up to the closing tag, unrolled (twice as fast on the real files)
_LEAF = re.compile(r"<(DATE|TOPICS|PLACES|PEOPLE|ORGS|EXCHANGES|COMPANIES|AUTHOR|DATELINE|TITLE|BODY)>"
                   r"([^<]*(?:<(?!/\1>)[^<]*)*)</\1>")
_TEXT = re.compile(r"<TEXT\b([^>]*)>([^<]*(?:<(?!/TEXT>)[^<]*)*)</TEXT>")
_D = re.compile(r"<D>(.*?)</D>", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=[ \t])")
_OPEN, _CLOSE = "<REUTERS", "</REUTERS>"
_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
_DATE = re.compile(r"^\s*(\d{1,2})-([A-Z]{3})-(\d{4})")


@dataclass(frozen=True)
class ReutersDoc:
    """One ``<REUTERS>`` element, decoded: attributes, category lists per facet, text fields."""

    newid: int
    oldid: int
    lewissplit: str
    cgisplit: str
    topics_attr: str
    date_text: str
    year: int | None
    month: int | None
    day: int | None
    categories: dict[str, list[str]]
    exchanges: list[str]
    companies: list[str]
    text_type: str
    title: str
    dateline: str
    author: str
    body: str
    raw: str
    line: int


def _unescape(s: str) -> str:
    return _CONTROL.sub("", html.unescape(s))


def _clean_lines(s: str) -> str:
    """Undo the fixed-width wire layout: a paragraph starts at an indented or blank-separated line."""
    paras = (" ".join(p.split()) for p in _PARAGRAPH.split(s))
    return "\n\n".join(p for p in paras if p)


def _drop_signature(body: str) -> str:
    """Remove the closing ``Reuter`` signature (a word of its own at the very end)."""
    if body[-6:].lower() == "reuter" and (len(body) == 6 or not body[-7].isalnum()):
        return body[:-6].rstrip()
    return body


def _parse_date(text: str) -> tuple[int | None, int | None, int | None]:
    m = _DATE.match(text)
    if not m or m.group(2) not in _MONTHS:
        return None, None, None
    return int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1))


def _stray(text: str, start: int, end: int, line: int, where: str) -> Rejection | None:
    """A ``<REUTERS`` opening between two elements means one element was never closed."""
    k = text.find(_OPEN, start, end)
    if k < 0:
        return None
    return Rejection(f"{where}:{line + text.count(chr(10), start, k)}",
                     "<REUTERS> element without </REUTERS>; the file is truncated or edited.")


def parse_sgml(text: str, where: str) -> Iterator[ReutersDoc | Rejection]:
    """Yield each ``<REUTERS>`` element of one SGML file as a :class:`ReutersDoc`.

    An element whose NEWID is missing or not a number, or an unterminated element, becomes a
    :class:`Rejection` naming the file and line.
    """
    pos, line = 0, 1
    while True:
        start = text.find(_OPEN, pos)
        if start < 0:
            break
        close = text.find(_CLOSE, start)
        if close < 0:
            yield Rejection(f"{where}:{line + text.count(chr(10), pos, start)}",
                            "<REUTERS> element without </REUTERS>; the file is truncated or edited.")
            return
        line += text.count("\n", pos, start)
        nxt = text.find(_OPEN, start + 1, close)
        if nxt >= 0:  # an element opened and not closed before this one
            yield _stray(text, start, nxt, line, where)  # type: ignore[misc]
            line += text.count("\n", start, nxt)
            start = nxt
        end = close + len(_CLOSE)
        element = text[start:end]
        doc = _parse_element(element, f"{where}:{line}", line)
        yield doc
        line += element.count("\n")
        pos = end


def _parse_element(element: str, where: str, line: int) -> ReutersDoc | Rejection:
    head_end = element.find(">")
    attrs = dict(_ATTR.findall(element[:head_end]))
    try:
        newid = int(attrs["NEWID"])
        oldid = int(attrs.get("OLDID", "0"))
    except (KeyError, ValueError):
        return Rejection(where, f"<REUTERS> element without a numeric NEWID (attributes {attrs}); "
                                f"expected NEWID=\"1\" .. \"21578\".")
    fields: dict[str, str] = {}
    for tag, value in _LEAF.findall(element):
        fields.setdefault(tag, value)
    cats = {f: [_unescape(d).strip() for d in _D.findall(fields.get(f.upper(), ""))] for f in FACETS}
    tm = _TEXT.search(element)
    text_attrs, text_sgml = (dict(_ATTR.findall(tm.group(1))), tm.group(2)) if tm else ({}, "")
    text_type = text_attrs.get("TYPE", "NORM")
    body = _unescape(text_sgml if text_type == "UNPROC" else fields.get("BODY", ""))
    date_text = _unescape(fields.get("DATE", "")).strip()
    y, mo, d = _parse_date(date_text)
    return ReutersDoc(
        newid=newid, oldid=oldid, lewissplit=attrs.get("LEWISSPLIT", ""), cgisplit=attrs.get("CGISPLIT", ""),
        topics_attr=attrs.get("TOPICS", ""), date_text=date_text, year=y, month=mo, day=d,
        categories=cats,
        exchanges=[_unescape(x).strip() for x in _D.findall(fields.get("EXCHANGES", ""))],
        companies=[_unescape(x).strip() for x in _D.findall(fields.get("COMPANIES", ""))],
        text_type=text_type,
        title=" ".join(_unescape(fields.get("TITLE", "")).split()),
        dateline=" ".join(_unescape(fields.get("DATELINE", "")).split()).rstrip(" -"),
        author=" ".join(_unescape(fields.get("AUTHOR", "")).split()),
        body=_drop_signature(_clean_lines(body)),
        raw=element, line=line,
    )


def read_category_list(path: Path) -> list[str]:
    """The category names of one ``all-*-strings.lc.txt`` file, one per line, in file order.

    Raises
    ------
    InputError
        When the file is missing (the data folder is incomplete).
    """
    if not path.is_file():
        raise InputError(f"{path}: missing; the Reuters-21578 folder must hold the {len(FACETS)} category lists "
                         f"{sorted(CATEGORY_FILES.values())}.")
    return [s.strip() for s in path.read_text(encoding=ENCODING).splitlines() if s.strip()]
