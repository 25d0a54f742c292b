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


def read_csv(text: str, where: str, taxonomy: Taxonomy | None) -> Iterator[Article | Rejection]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = reader.fieldnames or []
    if not any(f in fields for f in TEXT_FIELDS):
        raise InputError(
            f"{where}: CSV without a text column; expected one of {list(TEXT_FIELDS)}, found columns {fields}. "
            f"Rename the column holding the article text to 'text'."
        )
    for record in reader:
        loc = f"{where}:{reader.line_num}"
        try:
            yield _article(record, loc, taxonomy, from_csv=True)
        except (InputError, TaxonomyError) as exc:
            yield Rejection(loc, str(exc).removeprefix(f"{loc}: "))
