"""JSON Lines and CSV article files: a text column, optional metadata and label columns."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterator, Mapping

from ._text import clean, parse_date
from .article import Article
from .errors import InputError, Rejection, TaxonomyError
from .taxonomy import Taxonomy

TEXT_FIELDS = ("text", "body", "content")
META_FIELDS = {"id", "title", "date", "source", "url", "section", "tags"}


def _labels_from(record: Mapping[str, Any], taxonomy: Taxonomy | None, where: str, from_csv: bool) -> dict:
    if taxonomy is None:
        return {}
    labels = {}
    for facet in taxonomy.facets:
        value = record.get(facet.name)
        if value is None or value == "":
            continue
        if from_csv and facet.multi and isinstance(value, str):
            value = value.strip()
            if value.startswith("["):
                try:
                    value = json.loads(value)
                except json.JSONDecodeError as exc:
                    raise TaxonomyError(f"{where}: column {facet.name!r} holds invalid JSON ({exc.msg}): {value!r}.") from None
            else:
                value = [v.strip() for v in value.replace("|", ";").split(";") if v.strip()]
        labels[facet.name] = value
    return taxonomy.check_labels(labels, where)


def _article(record: Mapping[str, Any], where: str, taxonomy: Taxonomy | None, from_csv: bool) -> Article:
    text_field = next((f for f in TEXT_FIELDS if f in record), None)
    if text_field is None:
        raise InputError(
            f"{where}: no text field; expected one of {list(TEXT_FIELDS)}, found {sorted(record)}. "
            f"Rename the field that holds the article text to 'text'."
        )
    text = record[text_field]
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: field {text_field!r} is empty or not a string ({type(text).__name__}); expected the article text.")
    date_text = str(record.get("date") or "")
    year, month, day = parse_date(date_text) if date_text else (None, None, None)
    tags = record.get("tags") or ()
    if isinstance(tags, str):
        tags = tuple(t.strip() for t in tags.split(",") if t.strip())
    return Article(
        title=clean(str(record.get("title") or "")),
        body=clean(text),
        raw=text,
        section=str(record.get("section") or ""),
        date_text=date_text,
        year=year,
        month=month,
        day=day,
        source=str(record.get("source") or ""),
        url=str(record.get("url") or ""),
        source_id=source_id(record),
        tags=tuple(tags),
        origin=where,
        labels=_labels_from(record, taxonomy, where, from_csv),
        meta=_other_fields(record, text_field, taxonomy),
    )


def _other_fields(record: Mapping[str, Any], text_field: str, taxonomy: Taxonomy | None) -> dict[str, Any]:
    """Every field the article has no place for (``story_line``, ``author``, ...), kept as its metadata."""
    known = META_FIELDS | {text_field} | set(taxonomy.facet_names if taxonomy is not None else ())
    return {k: v for k, v in record.items() if k not in known and k is not None and v not in (None, "")}


def source_id(record: Mapping[str, Any]) -> str:
    """A record's own id, kept beside newstag's: its ``id`` field (a number as its text), else its ``url``."""
    for key in ("id", "url"):
        value = record.get(key)
        if value is not None and not isinstance(value, (dict, list)) and str(value).strip():
            return str(value).strip()
    return ""


def article_of_record(record: Mapping[str, Any], where: str) -> Article:
    """One record's article, without labels (see :func:`corpus.readers.record_article`)."""
    return _article(record, where, None, from_csv=False)


def read_jsonl(text: str, where: str, taxonomy: Taxonomy | None) -> Iterator[Article | Rejection]:
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        loc = f"{where}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejection(loc, f"invalid JSON ({exc.msg} at column {exc.colno}); expected one JSON object per line.")
            continue
        if not isinstance(record, dict):
            yield Rejection(loc, f"expected a JSON object per line, got {type(record).__name__}.")
            continue
        try:
            yield _article(record, loc, taxonomy, from_csv=False)
        except (InputError, TaxonomyError) as exc:
            yield Rejection(loc, str(exc).removeprefix(f"{loc}: "))


_C_LONG_MAX = 2**31 - 1  # csv.field_size_limit takes a C long (32 bits on Windows)


def read_csv(text: str, where: str, taxonomy: Taxonomy | None) -> Iterator[Article | Rejection]:
    """Articles (or rejections) of a CSV file's rows. A field may be as long as the file (the csv
    module's default limit of 128 KiB would abort the file); an unclosed quote is reported with the line
    it opens on, and the rows before it are kept."""
    if csv.field_size_limit() < min(len(text) + 1, _C_LONG_MAX):
        csv.field_size_limit(min(len(text) + 1, _C_LONG_MAX))  # only ever raised: other readers keep working
    rows = _csv_rows(text, where)
    fields = next(rows, [])
    if isinstance(fields, Rejection):
        yield fields
        return
    if not any(f in fields for f in TEXT_FIELDS):
        raise InputError(
            f"{where}: CSV without a text column; expected one of {list(TEXT_FIELDS)}, found columns {fields}. "
            f"Rename the column holding the article text to 'text'."
        )
    for item in rows:
        if isinstance(item, Rejection):
            yield item
            continue
        line, end, values = item
        loc = f"{where}:{end}"
        if len(values) > len(fields):
            yield Rejection(loc, f"{len(values)} cells in a row of {len(fields)} columns; quote cells that hold commas.")
            continue
        record = dict(zip(fields, values))
        try:
            yield _article(record, loc, taxonomy, from_csv=True)
        except (InputError, TaxonomyError) as exc:
            yield Rejection(loc, str(exc).removeprefix(f"{loc}: "))


def _csv_rows(text: str, where: str) -> Iterator:
    """The header (a list of names), then ``(start, end, cells)`` per row: the lines it starts and ends on. A row
    that runs to the end of the file because a quote opened in it is never closed, or a CSV error,
    becomes a :class:`Rejection` at its line (the rows before it are kept)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    end, pending = 0, None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if pending is not None and pending[2]:
                yield pending
            yield Rejection(f"{where}:{end + 1}", f"malformed CSV ({exc}); the rest of the file (from line {end + 1}) "
                                                  f"is not read.")
            return
        start, end = end + 1, reader.line_num
        if pending is not None and pending[2]:
            yield pending
        pending = (start, end, cells)
        if start == 1:
            yield cells
            pending = None
    if pending is None:
        return
    start, end, cells = pending
    if end > start and _unclosed_quote(text, start):
        yield Rejection(f"{where}:{start}", f"a quote opened in this row is never closed, so the row runs to the end "
                                            f"of the file (line {end}); it is not read. Close the quote (a quote "
                                            f"inside a quoted cell is written twice: \"\").")
    elif cells:  # a blank line is no row
        yield pending


def _unclosed_quote(text: str, start: int) -> bool:
    """Whether the CSV row starting on line ``start`` and running to the end of ``text`` holds a quoted
    cell that is never closed (the lenient reader takes the rest of the file into that cell)."""
    tail = "".join(io.StringIO(text, newline="").readlines()[start - 1:])
    try:
        list(csv.reader(io.StringIO(tail, newline=""), strict=True))
    except csv.Error as exc:
        return "end of data" in str(exc)
    return False
