"""HTML pages: main-text extraction with trafilatura (boilerplate, menus and ads removed)."""

from __future__ import annotations

from ._text import clean, parse_date
from .article import Article
from .errors import InputError


def parse_html(html: str, where: str) -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_precision=True)
    if doc is None:
        raise InputError(f"{where}: no main text could be extracted from this HTML page; expected an article page.")
    doc = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = clean(doc.get("text") or "")
    if not body:
        raise InputError(f"{where}: the HTML page has no article text after boilerplate removal.")
    # trafilatura joins paragraphs with single newlines; the corpus separates them with blank lines.
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    title = clean(doc.get("title") or "")
    while paragraphs and title and paragraphs[0] == title:  # the headline repeated as the first block
        paragraphs.pop(0)
    if not paragraphs:
        raise InputError(f"{where}: the HTML page has a title but no article text after boilerplate removal.")
    body = "\n\n".join(paragraphs)
    date_text = doc.get("date") or ""
    year, month, day = parse_date(date_text) if date_text else (None, None, None)
    return Article(
        title=title,
        body=body,
        raw=html,
        section=", ".join(doc.get("categories") or []) if isinstance(doc.get("categories"), list) else "",
        date_text=date_text,
        year=year,
        month=month,
        day=day,
        source=doc.get("sitename") or doc.get("hostname") or "",
        url=doc.get("url") or "",
        tags=tuple(doc.get("tags") or ()) if isinstance(doc.get("tags"), list) else (),
        origin=where,
    )
