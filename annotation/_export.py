"""Label Studio export files (owned here, and only here): JSON (full), JSON_MIN, CSV and TSV.

Every format is parsed into one neutral list of :class:`AnnotationRecord` (one submitted annotation:
task id, article id, annotator, ground_truth, facet -> label ids, mention spans, source location) plus
:class:`Skipped` entries for everything that is not used as a label, so nothing is dropped silently.

What the formats carry (Label Studio 1.23):

- **JSON** (full): one object per task: ``data``, ``annotations[]`` (``result[]``, ``completed_by`` —
  a user id or ``{"id", "email", …}`` —, ``was_cancelled``, ``ground_truth``, an embedded
  ``prediction``), ``drafts[]`` (objects, or ids in a snapshot) and ``predictions``. The only format
  with skipped annotations, drafts and ground truth.
- **JSON_MIN**: one row per submitted annotation, the task ``data`` fields flattened into the row next
  to ``id`` (the task), ``annotator`` (a user id, or an email when converted from a snapshot),
  ``annotation_id``, ``updated_at``; one value per control: a single choice is a plain string, several
  are ``{"choices": [...]}``; spans are a list of ``{start, end, text, labels}``. An untouched task is
  a row whose annotator is null; skipped annotations, drafts and ground_truth are absent.
- **CSV** / **TSV**: the JSON_MIN rows, with dicts and lists JSON-encoded in cells, every value a
  string and an empty cell for null.

Conventions, the same for every format so that all of them give the same corpus:

- a single-label facet with no choice was not answered by that annotator; a multi-label facet with no
  choice is an answer: "none of these labels";
- annotators are identified by their Label Studio user id, as a string (``"7"``). An email is mapped
  back to the id when the export pairs them (``completed_by`` objects, drafts' ``created_username``)
  or the caller passes an ``annotators`` mapping (``pull`` builds it from the server's user list);
  an email that cannot be mapped stays the annotator's name and is listed in :attr:`Export.notes`;
- a label must be a taxonomy id (the generated config exports ids through ``alias``); anything else is
  a :class:`~corpus.TaxonomyError` naming the file, task, annotator and the valid labels.
"""

from __future__ import annotations

__all__ = ["AnnotationRecord", "Span", "Skipped", "Export", "read_export", "read_annotators", "detect_format",
           "FORMATS", "SKIP_KINDS"]

import csv
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, TextIO

from corpus import Facet, Taxonomy, TaxonomyError
from corpus._text import check_utf8_file

from ._jsonfile import read_json_file
from .config import mention_control
from .errors import ExportError

FORMATS = ("JSON", "JSON_MIN", "CSV", "TSV")
# What a Skipped entry can be (the report's rows). Every kind is fatal in strict mode.
SKIP_KINDS = {
    "cancelled": "skipped by the annotator (was_cancelled)",
    "draft": "draft, never submitted",
    "untouched": "task with no annotation",
    "no_article_id": "task data has no article_id",
    "no_annotator": "annotation without an annotator",
    "unknown_control": "result from a control that is not a facet",
    "superseded": "older annotation by the same annotator on the same article",
    "unknown_article": "article id not in the corpus",
}
_MAX_LISTED_ERRORS = 10


@dataclass(frozen=True)
class Span:
    """A mention of a facet label in the task text (``text[start:end]``)."""

    facet: str
    label: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class AnnotationRecord:
    """One submitted annotation, in neutral form.

    ``labels`` maps a facet to its label ids (taxonomy order): every multi-label facet is present
    (possibly empty), a single-label facet only when the annotator answered it.
    """

    task_id: int
    article_id: str
    annotator: str
    labels: Mapping[str, tuple[str, ...]]
    ground_truth: bool = False
    annotation_id: int | None = None
    updated_at: str = ""
    spans: tuple[Span, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Skipped:
    """Something in an export that was not used as labels, and why."""

    kind: str
    source: str
    task_id: int | None = None
    article_id: str | None = None
    annotator: str | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "source": self.source, "task_id": self.task_id, "article_id": self.article_id,
                "annotator": self.annotator, "detail": self.detail}

    def __str__(self) -> str:
        who = f", annotator {self.annotator}" if self.annotator else ""
        art = f" (article {self.article_id!r})" if self.article_id else ""
        extra = f": {self.detail}" if self.detail else ""
        return f"{self.source}{art}{who}: {SKIP_KINDS.get(self.kind, self.kind)}{extra}"


@dataclass
class Export:
    """A parsed export: the usable annotation records and what was skipped."""

    path: str
    format: str
    records: list[AnnotationRecord] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    tasks: int = 0
    predictions_ignored: int = 0
    annotators: dict[str, str] = field(default_factory=dict)  # user id -> email, where the export says
    notes: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[AnnotationRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)


class _Labels:
    """Fast label validation: a precomputed index per facet; error messages from the taxonomy."""

    def __init__(self, taxonomy: Taxonomy, facets: Iterable[str] | None, mentions: Iterable[str] | None):
        self.taxonomy = taxonomy
        names = list(facets) if facets is not None else taxonomy.facet_names
        self.facets: list[Facet] = [taxonomy.facet(n) for n in names]
        self.index = {f.name: {lab: i for i, lab in enumerate(f.ids)} for f in taxonomy.facets}
        self.by_name = {f.name: f for f in self.facets}
        self.other_facets = [n for n in taxonomy.facet_names if n not in self.by_name]
        mention_facets = list(mentions) if mentions is not None else taxonomy.facet_names
        self.mentions = {mention_control(n): taxonomy.facet(n) for n in mention_facets}
        self.errors: list[str] = []
        self.n_errors = 0
        self.valid: dict[tuple, tuple[str, ...]] = {}  # (facet, *labels) -> checked labels: exports repeat them

    def fail(self, message: str) -> None:
        self.n_errors += 1
        if len(self.errors) < _MAX_LISTED_ERRORS:
            self.errors.append(message)

    def check(self, facet: Facet, values: list[Any], where: Callable[[], str]) -> tuple[str, ...] | None:
        """Label ids in taxonomy order, or None after recording an error."""
        try:
            key = (facet.name, *values)
            return self.valid[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value (malformed export): checked, and failed, below
            key = None
        out = self._check(facet, values, where)
        if out is not None and key is not None:
            self.valid[key] = out
        return out

    def _check(self, facet: Facet, values: list[Any], where: Callable[[], str]) -> tuple[str, ...] | None:
        idx = self.index[facet.name]
        seen: set[str] = set()
        ok = True
        for v in values:
            if not isinstance(v, str) or v not in idx:
                self.fail(facet.unknown_label_message(v, where()))
                ok = False
            else:
                seen.add(v)
        if not ok:
            return None
        if not facet.multi and len(seen) > 1:
            self.fail(f"{where()}: {facet.name} is single-label and expects exactly one label, got "
                      f"{sorted(seen, key=idx.__getitem__)!r}. Set choice=\"single\" on the {facet.name} "
                      f"control and fix the annotation in Label Studio.")
            return None
        return tuple(sorted(seen, key=idx.__getitem__))

    def span(self, control: str, value: Any, where: Callable[[], str]) -> Span | None:
        facet = self.mentions[control]
        if not isinstance(value, dict):
            raise ExportError(f"{where()}: span result of {control!r} must be an object with start, end, text, "
                              f"labels; got {value!r}.")
        labels = value.get("labels")
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list) or len(labels) != 1:
            raise ExportError(f"{where()}: span result of {control!r} must carry exactly one label in 'labels', "
                              f"got {labels!r}.")
        checked = self.check(facet, labels, where)
        if checked is None:
            return None
        try:
            start, end = int(value["start"]), int(value["end"])
        except (KeyError, TypeError, ValueError):
            raise ExportError(f"{where()}: span result of {control!r} needs integer 'start' and 'end', "
                              f"got {value!r}.") from None
        return Span(facet.name, checked[0], start, end, str(value.get("text", "")))

    def raise_errors(self, path: str) -> None:
        if not self.n_errors:
            return
        more = self.n_errors - len(self.errors)
        tail = f"\n  … and {more} more." if more else ""
        listed = "\n  ".join(self.errors)
        head = self.errors[0] if self.n_errors == 1 else f"{self.n_errors} invalid labels in {path!r}:\n  {listed}"
        raise TaxonomyError(head + tail)


class _Annotators:
    """Normalise annotator identities to the Label Studio user id, as a string."""

    def __init__(self, mapping: Mapping[str, Any] | None):
        self.email_to_id: dict[str, str] = {}
        self.id_to_email: dict[str, str] = {}
        for k, v in (mapping or {}).items():
            k, v = str(k).strip(), str(v).strip()
            if "@" in k and "@" not in v:
                self.pair(v, k)
            elif "@" in v and "@" not in k:
                self.pair(k, v)
        self.unresolved: set[str] = set()

    def pair(self, uid: str, email: str) -> None:
        if uid and email:
            self.email_to_id.setdefault(email.casefold(), uid)
            self.id_to_email.setdefault(uid, email)

    def pair_from_username(self, created_username: Any) -> None:
        """Drafts carry ``created_username`` as ``"email, id"``."""
        if isinstance(created_username, str) and "," in created_username:
            email, _, uid = created_username.rpartition(",")
            if uid.strip().isdigit():
                self.pair(uid.strip(), email.strip())

    def key(self, value: Any) -> str | None:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, dict):
            uid, email = value.get("id"), value.get("email")
            if uid is not None:
                uid = self.key(uid)
                if uid and isinstance(email, str):
                    self.pair(uid, email)
                return uid
            return self.key(email)
        text = str(value).strip()
        if not text:
            return None
        if text.isdigit():
            return str(int(text))
        if "@" in text:
            uid = self.email_to_id.get(text.casefold())
            if uid is None:
                self.unresolved.add(text)
                return text
            return uid
        return text


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


def _task_where(path: str, task_id: Any, article_id: Any, annotator: Any = None, row: str = "") -> str:
    where = f"annotation export {path!r}, {row}task {task_id}"
    if article_id:
        where += f" (article {article_id!r})"
    if annotator is not None:
        where += f", annotator {annotator}"
    return where


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Parser:
    def __init__(self, path: str, fmt: str, taxonomy: Taxonomy, annotators: Mapping[str, Any] | None,
                 facets: Iterable[str] | None, mentions: Iterable[str] | None):
        self.export = Export(path=path, format=fmt)
        self.labels = _Labels(taxonomy, facets, mentions)
        self.people = _Annotators(annotators)
        self.task_ids: set[int] = set()

    def task(self, raw_id: Any, raw_article_id: Any, where: str) -> tuple[int, str | None]:
        """A task's id (it must be an integer; counted as seen) and its article id (None when absent or empty)."""
        task_id = _int_or_none(raw_id)
        if task_id is None:
            raise ExportError(f"annotation export {where}: task 'id' must be an integer, got {raw_id!r}.")
        self.task_ids.add(task_id)
        return task_id, (str(raw_article_id) if raw_article_id not in (None, "") else None)

    # ---- JSON (full) ----------------------------------------------------------------------------
    def json_task(self, task: Any, n: int) -> None:
        path, ex = self.export.path, self.export
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise ExportError(f"annotation export {path!r}, item {n}: expected a task object with 'data' and "
                              f"'annotations' (a full JSON export), got {str(task)[:120]!r}. For JSON_MIN pass "
                              f"--format JSON_MIN (or auto).")
        task_id, aid = self.task(task.get("id"), task["data"].get("article_id"), f"{path!r}, item {n}")
        src = f"{path}, task {task_id}"
        annotations = task.get("annotations") or []
        if not isinstance(annotations, list):
            raise ExportError(f"{_task_where(path, task_id, aid)}: 'annotations' must be a list, got "
                              f"{type(annotations).__name__}.")
        preds = task.get("predictions") or []
        ex.predictions_ignored += len(preds) if isinstance(preds, list) else 0
        for d in task.get("drafts") or []:
            who = None
            if isinstance(d, dict):
                self.people.pair_from_username(d.get("created_username"))
                who = self.people.key(d.get("user"))
            ex.skipped.append(Skipped("draft", src, task_id, aid, who,
                                      "" if isinstance(d, dict) else "draft id only (snapshot export)"))
        if aid is None:
            ex.skipped.append(Skipped("no_article_id", src, task_id, None, None,
                                      f"{len(annotations)} annotation(s) not used; tasks must carry "
                                      f"data.article_id (make them with `newstag annotate tasks`)"))
            return
        if not annotations:
            ex.skipped.append(Skipped("untouched", src, task_id, aid))
            return
        for a in annotations:
            if not isinstance(a, dict):
                raise ExportError(f"{_task_where(path, task_id, aid)}: an annotation must be an object, got {a!r}.")
            ann_id = _int_or_none(a.get("id"))
            asrc = f"{src}, annotation {ann_id}" if ann_id is not None else src
            who = self.people.key(a.get("completed_by"))
            if who is None:
                ex.skipped.append(Skipped("no_annotator", asrc, task_id, aid, None,
                                          f"completed_by is {a.get('completed_by')!r}"))
                continue
            if a.get("was_cancelled"):
                ex.skipped.append(Skipped("cancelled", asrc, task_id, aid, who))
                continue
            result = a.get("result") or []
            if not isinstance(result, list):
                raise ExportError(f"{_task_where(path, task_id, aid, who)}: 'result' must be a list, got {result!r}.")
            self.json_annotation(result, task_id, aid, who, bool(a.get("ground_truth")), ann_id,
                                 str(a.get("updated_at") or ""), asrc)

    def json_annotation(self, result: list, task_id: int, aid: str, who: str, ground_truth: bool,
                        ann_id: int | None, updated_at: str, src: str) -> None:
        path = self.export.path
        where = lambda: _task_where(path, task_id, aid, who)  # noqa: E731 - built only on error
        chosen: dict[str, list[Any]] = {}
        spans: list[Span] = []
        unknown: Counter[str] = Counter()
        for r in result:
            if not isinstance(r, dict):
                raise ExportError(f"{where()}: a result item must be an object, got {r!r}.")
            control, kind, value = r.get("from_name"), r.get("type"), r.get("value")
            if control in self.labels.by_name:
                if kind != "choices" or not isinstance(value, dict) or not isinstance(value.get("choices"), list):
                    raise ExportError(f"{where()}: result for facet {control!r} must be "
                                      f"{{'type': 'choices', 'value': {{'choices': [...]}}}}, got type {kind!r}, "
                                      f"value {value!r}. Use the labeling config from `newstag annotate config`.")
                chosen.setdefault(control, []).extend(value["choices"])
            elif control in self.labels.mentions and kind == "labels":
                span = self.labels.span(control, value, where)
                if span is not None:
                    spans.append(span)
            else:
                unknown[str(control)] += 1
        for control, k in sorted(unknown.items()):
            self.export.skipped.append(Skipped("unknown_control", src, task_id, aid, who,
                                               f"{k} result(s) from control {control!r} ignored"))
        self.add(task_id, aid, who, chosen, spans, ground_truth, ann_id, updated_at, src, where)

    # ---- JSON_MIN / CSV / TSV -------------------------------------------------------------------
    def min_row(self, row: Any, src: str, cells: bool) -> None:
        path, ex = self.export.path, self.export
        if not isinstance(row, dict):
            raise ExportError(f"annotation export {path!r}, {src}: expected a row object, got {str(row)[:120]!r}.")
        if "annotations" in row and "data" in row:
            raise ExportError(f"annotation export {path!r}, {src}: this is a full JSON export (rows have 'data' "
                              f"and 'annotations'); pass --format JSON (or auto).")
        if "id" not in row or ("annotator" not in row and "annotation_id" not in row):
            raise ExportError(f"annotation export {path!r}, {src}: a JSON_MIN/CSV row needs 'id' (the task) and "
                              f"'annotator' columns, got {sorted(row)[:12]}. Export as JSON_MIN or CSV from "
                              f"Label Studio.")
        task_id, aid = self.task(row.get("id"), row.get("article_id"), f"{path!r}, {src}")
        tsrc = f"{path}, {src} (task {task_id})"
        raw_who, ann_id = row.get("annotator"), _int_or_none(row.get("annotation_id"))
        if raw_who in (None, "") and ann_id is None:
            if aid is None:
                ex.skipped.append(Skipped("no_article_id", tsrc, task_id, None, None, "task data has no article_id"))
            else:
                ex.skipped.append(Skipped("untouched", tsrc, task_id, aid))
            return
        who = self.people.key(raw_who)
        if aid is None:
            ex.skipped.append(Skipped("no_article_id", tsrc, task_id, None, who,
                                      "annotation not used; tasks must carry data.article_id"))
            return
        if who is None:
            ex.skipped.append(Skipped("no_annotator", tsrc, task_id, aid, None, f"annotator is {raw_who!r}"))
            return
        where = lambda: _task_where(path, task_id, aid, who, f"{src}, ")  # noqa: E731
        chosen: dict[str, list[Any]] = {}
        spans: list[Span] = []
        for control in self.labels.by_name:
            value = row.get(control)
            if cells:
                value = _decode_cell(value)
            if value is None or value == "":
                continue
            if isinstance(value, str):
                chosen[control] = [value]  # a single choice is a plain string
            elif isinstance(value, dict) and isinstance(value.get("choices"), list):
                chosen[control] = list(value["choices"])
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                chosen[control] = list(value)
            else:
                raise ExportError(f"{where()}: facet {control!r} must be a label or {{'choices': [...]}}, got "
                                  f"{value!r}. Use the labeling config from `newstag annotate config`.")
        for control in self.labels.other_facets:
            value = _decode_cell(row.get(control)) if cells else row.get(control)
            if value not in (None, ""):
                self.export.skipped.append(Skipped("unknown_control", f"{path}, {src}", task_id, aid, who,
                                                   f"column {control!r} is not among the facets read"))
        for control in self.labels.mentions:
            value = row.get(control)
            if cells:
                value = _decode_cell(value)
            if value in (None, ""):
                continue
            if not isinstance(value, list):
                raise ExportError(f"{where()}: span column {control!r} must be a list of "
                                  f"{{start, end, text, labels}}, got {value!r}.")
            for v in value:
                span = self.labels.span(control, v, where)
                if span is not None:
                    spans.append(span)
        self.add(task_id, aid, who, chosen, spans, False, ann_id, str(row.get("updated_at") or ""),
                 f"{path}, {src}, annotation {ann_id}" if ann_id is not None else tsrc, where)

    # ---- common ---------------------------------------------------------------------------------
    def add(self, task_id: int, aid: str, who: str, chosen: Mapping[str, list[Any]], spans: list[Span],
            ground_truth: bool, ann_id: int | None, updated_at: str, src: str, where: Callable[[], str]) -> None:
        labels: dict[str, tuple[str, ...]] = {}
        ok = True
        for facet in self.labels.facets:
            values = chosen.get(facet.name)
            if values is None:
                if facet.multi:
                    labels[facet.name] = ()
                continue
            checked = self.labels.check(facet, values, where)
            if checked is None:
                ok = False
            elif checked or facet.multi:
                labels[facet.name] = checked
        if ok:
            self.export.records.append(AnnotationRecord(task_id, aid, who, labels, ground_truth, ann_id, updated_at,
                                                        tuple(spans), src))

    def finish(self) -> Export:
        ex = self.export
        self.labels.raise_errors(ex.path)
        ex.tasks = len(self.task_ids)
        ex.annotators = dict(sorted(self.people.id_to_email.items()))
        if self.people.unresolved:
            names = sorted(self.people.unresolved)
            ex.notes.append(
                f"{len(names)} annotator(s) are named by email only and could not be mapped to a Label Studio user "
                f"id: {names[:5]}. Pass an annotators mapping (email -> id) so that every export format names "
                f"them the same way."
            )
        if ex.format != "JSON":
            ex.notes.append(
                f"{ex.format} exports leave out skipped (cancelled) annotations, drafts and the ground_truth flag; "
                f"import the JSON export for a complete report and ground-truth consensus."
            )
        return ex


_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def _decode_cell(value: Any) -> Any:
    """A CSV cell: empty is null, a JSON object or list is decoded, anything else is the string itself."""
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    if value[0] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def read_export(path: str | Path, taxonomy: Taxonomy, *, fmt: str = "auto",
                annotators: Mapping[str, Any] | None = None, facets: Iterable[str] | None = None,
                mentions: Iterable[str] | None = None, progress: Callable[[int], None] | None = None) -> Export:
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
    progress : called with the number of items parsed, every 1,000 items

    Returns
    -------
    Export
        ``records`` (one per submitted annotation), ``skipped`` (cancelled, drafts, untouched, …),
        ``tasks``, ``predictions_ignored``, ``notes``.

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
    parser = _Parser(path.name, fmt, taxonomy, annotators, facets, mentions)
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
