"""Label Studio export files (owned here, and only here): JSON (full), JSON_MIN, CSV and TSV.

Every format is parsed into one neutral list of :class:`AnnotationRecord` (one submitted annotation:
task id, article id, annotator, ground_truth, facet -> label ids, mention spans, source location),
each task's ``data`` (:attr:`Export.task_data`, from which :mod:`annotation.articles` builds or matches
the articles), plus :class:`Skipped` entries for everything that is not used as a label, so nothing is
dropped silently. Controls and choice values are mapped to facets and labels by
:mod:`annotation.mapping` (a project made by hand works as well as one from ``annotate config``).

What the formats carry (Label Studio 1.23):

- **JSON** (full): one object per task: ``data``, ``annotations[]`` (``result[]``, ``completed_by`` —
  a user id or ``{"id", "email", …}`` —, ``was_cancelled``, ``ground_truth``, an embedded
  ``prediction``), ``drafts[]`` (objects, or ids in a snapshot) and ``predictions``. The only format
  with skipped annotations, drafts and ground truth.
- **JSON_MIN**: one row per submitted annotation, the task ``data`` fields flattened into the row next
  to ``id`` (the task; it overwrites a data field named ``id``), ``annotator`` (a user id, or an email
  when converted from a snapshot),
  ``annotation_id``, ``updated_at``; one value per control: a single choice is a plain string, several
  are ``{"choices": [...]}``; spans are a list of ``{start, end, text, labels}``. An untouched task is
  a row whose annotator is null; skipped annotations, drafts and ground_truth are absent.
- **CSV** / **TSV**: the JSON_MIN rows, with dicts and lists JSON-encoded in cells, every value a
  string and an empty cell for null; ``id`` is the task data's own ``id`` when it has one (Label
  Studio's task id is then absent), else the task id.

In JSON_MIN/CSV/TSV a column is a control when it maps to a facet, is a ``{facet}_mentions`` span
column, or takes different values on two rows of one task (annotators' answers); every other column
that is not one of Label Studio's row fields is task data.

Conventions, the same for every format so that all of them give the same corpus:

- a facet is *seen* when some annotation of the export has a result for it; a facet not seen stays
  unannotated (an import never touches it). A single-label facet with no choice was not answered by
  that annotator; a seen multi-label facet with no choice is an answer: "none of these labels" (Label
  Studio writes no result for an empty choice);
- annotators are identified by their Label Studio user id, as a string (``"7"``). An email is mapped
  back to the id when the export pairs them (``completed_by`` objects, drafts' ``created_username``)
  or the caller passes an ``annotators`` mapping (``pull`` builds it from the server's user list);
  an email that cannot be mapped stays the annotator's name and is listed in :attr:`Export.notes`;
- a choice must name a label by id, display name or alias; anything else (or a name shared by two
  labels) is a :class:`~corpus.TaxonomyError` naming the file, task, annotator and the candidates.
"""

from __future__ import annotations

__all__ = ["AnnotationRecord", "Span", "Skipped", "Export", "read_export", "read_annotators", "detect_format",
           "FORMATS", "SKIP_KINDS", "ROW_FIELDS"]

import csv
import json
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, TextIO

from corpus import Facet, Taxonomy, TaxonomyError, check_utf8_file

from ._jsonfile import read_json_file
from ._parser import Parser
from ._records import FORMATS, ROW_FIELDS, SKIP_KINDS, AnnotationRecord, Export, Skipped, Span
from .errors import ExportError


def detect_format(path: str | Path) -> str:
    """``CSV``/``TSV`` by suffix; for JSON, ``JSON`` when the first item has ``data`` or ``annotations``,
    else ``JSON_MIN``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "CSV"
    if suffix == ".tsv":
        return "TSV"
    with open(path, encoding="utf-8-sig") as fh:
        for item in _iter_json_array(fh, str(path)):
            if isinstance(item, dict) and ("annotations" in item or "data" in item):
                return "JSON"
            return "JSON_MIN"
    return "JSON"


def _iter_json_array(fh: TextIO, path: str, chunk: int = 1 << 20) -> Iterator[Any]:
    """Yield the items of a top-level JSON array one by one, without loading the whole file as objects."""
    decoder = json.JSONDecoder()
    buf = fh.read(chunk)
    pos, line_base, eof = 0, 1, False

    def fail(msg: str, at: int) -> ExportError:
        line = line_base + buf.count("\n", 0, at)
        return ExportError(f"annotation export {path!r}: invalid JSON at line {line}: {msg}. Export the project "
                           f"again from Label Studio (JSON, JSON_MIN or CSV), unedited.")

    def refill() -> bool:
        nonlocal buf, pos, line_base, eof
        if eof:
            return False
        more = fh.read(max(chunk, len(buf)))
        if not more:
            eof = True
            return False
        line_base += buf.count("\n", 0, pos)
        buf, pos = buf[pos:] + more, 0
        return True

    def skip_ws() -> str:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf):
                return buf[pos]
            if not refill():
                return ""

    first = skip_ws()
    if first != "[":
        got = "an empty file" if not first else f"{first!r}"
        raise fail(f"expected a JSON array of tasks or rows ('['), got {got}", pos)
    pos += 1
    if skip_ws() == "]":
        pos += 1
        if skip_ws():
            raise fail("unexpected data after the closing ']'", pos)
        return
    while True:
        if not skip_ws():
            raise fail("the file ends inside the array (truncated download?)", pos)
        while True:
            try:
                item, end = decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if not refill():
                    raise fail(exc.msg, exc.pos) from None
        pos = end
        yield item
        c = skip_ws()
        if c == ",":
            pos += 1
        elif c == "]":
            pos += 1
            if skip_ws():
                raise fail("unexpected data after the closing ']'", pos)
            return
        else:
            raise fail(f"expected ',' or ']' after an item, got {c!r}" if c else "the file ends inside the array", pos)


_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def read_export(path: str | Path, taxonomy: Taxonomy, *, fmt: str = "auto",
                annotators: Mapping[str, Any] | None = None, facets: Iterable[str] | None = None,
                mentions: Iterable[str] | None = None, controls: Mapping[str, str] | None = None,
                progress: Callable[[int], None] | None = None) -> Export:
    """Parse a Label Studio export file into annotation records and skipped entries.

    Parameters
    ----------
    path : the export file
    taxonomy : every label is checked against it
    fmt : ``"auto"`` (by suffix and content), ``"JSON"``, ``"JSON_MIN"``, ``"CSV"`` or ``"TSV"``
    annotators : a mapping between emails and user ids (either direction) used to name every annotator
        by user id
    facets : the facets the project annotates (default: all of the taxonomy's); results for a facet not
        listed are reported as ``unknown_control``, and a listed multi-label facet with no choice means
        "none"
    mentions : facets whose ``{facet}_mentions`` span results are read (default: every facet)
    controls : ``{control: facet}`` overrides (``--map``); other controls map by name
        (:func:`annotation.map_controls`)
    progress : called with the number of items parsed, every 1,000 items

    Returns
    -------
    Export
        ``records`` (one per submitted annotation), ``skipped`` (cancelled, drafts, untouched, …),
        ``tasks``, ``task_data``, ``controls``, ``unmapped_controls``, ``facets_seen``,
        ``predictions_ignored``, ``notes``.

    Raises
    ------
    ExportError
        When the file is missing, not in the format, or a record's structure is wrong.
    TaxonomyError
        When labels are not in the taxonomy (all of them are listed, up to ten, with file, task and
        annotator).
    """
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"annotation export {str(path)!r} does not exist; download it with `newstag annotate pull` "
                          f"or from the project's Export button in Label Studio.")
    check_utf8_file(path, f"annotation export {path.name!r}", ExportError)
    fmt = (fmt or "auto").upper().replace("-", "_")
    if fmt == "AUTO":
        fmt = detect_format(path)
    if fmt not in FORMATS:
        raise ExportError(f"annotation export {str(path)!r}: unknown format {fmt!r}; expected one of "
                          f"{list(FORMATS)} or auto.")
    parser = Parser(path.name, fmt, taxonomy, annotators, facets, mentions, controls)
    n = 0
    if fmt in ("CSV", "TSV"):
        csv.field_size_limit(_CSV_FIELD_LIMIT)
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="," if fmt == "CSV" else "\t")
            if reader.fieldnames is None:
                raise ExportError(f"annotation export {str(path)!r}: empty {fmt} file (no header row).")
            end = reader.line_num
            for row in reader:
                start, end = end + 1, reader.line_num  # a row spans several lines when a cell holds newlines
                if None in row:
                    raise ExportError(f"annotation export {path.name!r}, line {start}: more cells than "
                                      f"header columns; is this really a Label Studio {fmt} export?")
                parser.min_row(row, f"line {start}", cells=True)
                n += 1
                if progress and n % 1000 == 0:
                    progress(1000)
    else:
        with open(path, encoding="utf-8-sig") as fh:
            for item in _iter_json_array(fh, path.name):
                n += 1
                if fmt == "JSON":
                    parser.json_task(item, n)
                else:
                    parser.min_row(item, f"row {n}", cells=False)
                if progress and n % 1000 == 0:
                    progress(1000)
    if progress and n % 1000:
        progress(n % 1000)
    return parser.finish()


def read_annotators(path: str | Path) -> dict[str, str]:
    """An annotators mapping file: a JSON object ``{email: id}`` (or ``{id: email}``), or the list of
    users Label Studio's ``/api/users`` returns (objects with ``id`` and ``email``).

    Raises
    ------
    ExportError
        When the file is missing, is not valid JSON or has another shape.
    """
    path = Path(path)
    data = read_json_file(path, "annotators file")
    if isinstance(data, dict):
        return {str(k): str(v) for k, v in data.items()}
    if isinstance(data, list) and all(isinstance(u, dict) and "id" in u and "email" in u for u in data):
        return {str(u["email"]): str(u["id"]) for u in data}
    raise ExportError(f"annotators file {str(path)!r}: expected an object {{email: user id}} or a list of users "
                      f"with 'id' and 'email' (as /api/users returns), got {str(data)[:120]!r}.")
