"""HTML pages: main-text extraction with trafilatura (boilerplate, menus and ads removed)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

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
        source_id=doc.get("url") or "",
        tags=tuple(doc.get("tags") or ()) if isinstance(doc.get("tags"), list) else (),
        origin=where,
    )


_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr",
                     "section", "article", "blockquote", "pre", "header", "footer", "hr"})
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template"})
_TAG = re.compile(r"<\s*/?\s*(?:p|div|br|span|a|b|i|em|strong|li|ul|ol|h[1-6]|table|tr|td|section|article|"
                  r"blockquote|html|body)\b[^>]*>", re.I)


def looks_like_html(text: str) -> bool:
    """Whether a text field holds HTML markup (a Label Studio ``HyperText`` task field, a scraped page)."""
    return bool(_TAG.search(text))


def html_text(markup: str) -> str:
    """The text of an HTML fragment or page: block elements become paragraphs, scripts and styles go."""

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs) -> None:
            if tag in _SKIP:
                self.skip += 1
            elif tag in _BLOCKS:
                self.parts.append("\n\n")

        def handle_endtag(self, tag) -> None:
            if tag in _SKIP:
                self.skip = max(0, self.skip - 1)
            elif tag in _BLOCKS:
                self.parts.append("\n\n")

        def handle_data(self, data) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = _Text()
    parser.feed(markup)
    parser.close()
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", "".join(parser.parts)))
    return "\n\n".join(p for p in paragraphs if p)
