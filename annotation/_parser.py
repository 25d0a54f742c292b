"""Parsing one export's items into records: labels checked, controls mapped, annotators named, task data kept.

The formats and conventions are described in :mod:`annotation._export`, which reads the files.
"""

from __future__ import annotations

__all__ = ["Parser", "decode_cell"]

import json
from collections import Counter
from typing import Any, Callable, Iterable, Iterator, Mapping

from corpus import Facet, Taxonomy, TaxonomyError

from ._annotators import Annotators
from ._records import ROW_FIELDS, AnnotationRecord, Export, Skipped, Span
from .config import mention_control
from .errors import ExportError
from .mapping import LabelMatcher, map_controls

_MAX_LISTED_ERRORS = 10


class _Labels:
    """Fast label validation: a precomputed index per facet; error messages from the taxonomy."""

    def __init__(self, taxonomy: Taxonomy, facets: Iterable[str] | None, mentions: Iterable[str] | None,
                 overrides: Mapping[str, str] | None = None):
        self.taxonomy = taxonomy
        names = list(facets) if facets is not None else taxonomy.facet_names
        self.facets: list[Facet] = [taxonomy.facet(n) for n in names]
        self.by_facet = {f.name: f for f in self.facets}
        self.index: dict[str, dict[str, int]] = {}
        self.matchers = {f.name: LabelMatcher(f) for f in self.facets}
        self.overrides = dict(overrides or {})
        map_controls((), taxonomy, self.overrides)  # an override naming an unknown facet fails now
        self.by_name: dict[str, Facet] = {}  # control -> facet (filled as controls are met)
        self.unmapped: set[str] = set()
        self.not_read: set[str] = set()  # controls of a taxonomy facet left out by ``facets``
        mention_facets = list(mentions) if mentions is not None else taxonomy.facet_names
        self.mentions = {mention_control(n): taxonomy.facet(n) for n in mention_facets}
        self.seen: set[str] = set()
        self.errors: list[str] = []
        self.n_errors = 0
        self.valid: dict[tuple, tuple[str, ...]] = {}  # (facet, *labels) -> checked labels: exports repeat them

    def control(self, name: Any) -> Facet | None:
        """The facet a control maps to (None: not a facet, or not among the facets read); cached."""
        facet = self.by_name.get(name)
        if facet is not None or name in self.unmapped:
            return facet
        mapped = map_controls([str(name)], self.taxonomy, self.overrides).facets.get(str(name))
        if mapped in self.by_facet and name not in self.mentions:
            self.by_name[name] = facet = self.by_facet[mapped]
        else:
            self.unmapped.add(name)
            if mapped is not None:
                self.not_read.add(name)
        return facet

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
        idx = self.index_of(facet)
        matcher = self.matchers.get(facet.name) or LabelMatcher(facet)
        seen: set[str] = set()
        ok = True
        for v in values:
            lab = matcher.label(v)
            if lab is None:
                self.fail(matcher.error(v, where()))
                ok = False
            else:
                seen.add(lab)
        if not ok:
            return None
        if not facet.multi and len(seen) > 1:
            self.fail(f"{where()}: {facet.name} is single-label and expects exactly one label, got "
                      f"{sorted(seen, key=idx.__getitem__)!r}. Set choice=\"single\" on the {facet.name} "
                      f"control and fix the annotation in Label Studio.")
            return None
        return tuple(sorted(seen, key=idx.__getitem__))

    def index_of(self, facet: Facet) -> dict[str, int]:
        idx = self.index.get(facet.name)
        if idx is None:
            idx = self.index[facet.name] = {lab: i for i, lab in enumerate(facet.ids)}
        return idx

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


class Parser:
    def __init__(self, path: str, fmt: str, taxonomy: Taxonomy, annotators: Mapping[str, Any] | None,
                 facets: Iterable[str] | None, mentions: Iterable[str] | None,
                 overrides: Mapping[str, str] | None = None):
        self.export = Export(path=path, format=fmt)
        self.labels = _Labels(taxonomy, facets, mentions, overrides)
        self.people = Annotators(annotators)
        self.task_ids: set[int | str] = set()
        self.varying: set[str] = set()  # JSON_MIN/CSV columns that differ between rows of one task: controls

    def task(self, raw_id: Any, raw_article_id: Any, where: str, any_key: bool = False
             ) -> tuple[int | str, str | None]:
        """A task's key (Label Studio's integer id; in CSV/TSV, ``any_key``, the data's own id when it has one)
        and its article id (None when absent or empty)."""
        task_id: int | str | None = _int_or_none(raw_id)
        if task_id is None and any_key and isinstance(raw_id, str) and raw_id.strip():
            task_id = raw_id.strip()
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
        ex.task_data.setdefault(task_id, task["data"])
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

    def json_annotation(self, result: list, task_id: int | str, aid: str | None, who: str, ground_truth: bool,
                        ann_id: int | None, updated_at: str, src: str) -> None:
        path = self.export.path
        where = lambda: _task_where(path, task_id, aid, who)  # noqa: E731 - built only on error
        chosen: dict[str, list[Any]] = {}
        spans: list[Span] = []
        unknown: Counter[tuple[str, str]] = Counter()
        for r in result:
            if not isinstance(r, dict):
                raise ExportError(f"{where()}: a result item must be an object, got {r!r}.")
            control, kind, value = r.get("from_name"), r.get("type"), r.get("value")
            facet = self.labels.control(control) if isinstance(control, str) else None
            values = _choice_values(value) if facet is not None and isinstance(value, dict) else None
            if facet is not None and values is None and control in self.labels.overrides:
                raise ExportError(f"{where()}: result of control {control!r} (mapped to facet {facet.name!r}) must be "
                                  f"{{'type': 'choices', 'value': {{'choices': [...]}}}} (Choices or Taxonomy), "
                                  f"got type {kind!r}, value {value!r}. Map a Choices or Taxonomy control to "
                                  f"{facet.name} with --map CONTROL={facet.name}.")
            if values is not None:
                chosen.setdefault(facet.name, []).extend(values)
            elif control in self.labels.mentions and kind == "labels":
                span = self.labels.span(control, value, where)
                if span is not None:
                    spans.append(span)
            elif facet is not None:  # named like a facet, but not a choice (a span, a text): not read as labels
                unknown[(str(control), f" (type {kind!r}, not a choice)")] += 1
            else:
                unknown[(str(control), "")] += 1
        for (control, note), k in sorted(unknown.items()):
            self.export.skipped.append(Skipped("unknown_control", src, task_id, aid, who,
                                               f"{k} result(s) from control {control!r}{note} ignored"))
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
        task_id, aid = self.task(row.get("id"), row.get("article_id"), f"{path!r}, {src}", any_key=cells)
        self.row_data(task_id, row, cells)
        tsrc = f"{path}, {src} (task {task_id})"
        raw_who, ann_id = row.get("annotator"), _int_or_none(row.get("annotation_id"))
        if raw_who in (None, "") and ann_id is None:
            ex.skipped.append(Skipped("untouched", tsrc, task_id, aid))
            return
        who = self.people.key(raw_who)
        if who is None:
            ex.skipped.append(Skipped("no_annotator", tsrc, task_id, aid, None, f"annotator is {raw_who!r}"))
            return
        where = lambda: _task_where(path, task_id, aid, who, f"{src}, ")  # noqa: E731
        chosen: dict[str, list[Any]] = {}
        spans: list[Span] = []
        for control, value in row.items():
            if control in ROW_FIELDS:
                continue
            facet = self.labels.control(control)
            if facet is None:
                continue
            if cells:
                value = decode_cell(value)
            if value is None or value == "":
                continue
            values = _choice_values(value)
            if values is None:
                if control in self.labels.overrides or not isinstance(value, (list, dict)):
                    raise ExportError(f"{where()}: facet {facet.name!r} (column {control!r}) must be a label or "
                                      f"{{'choices': [...]}}, got {value!r}. Map another column to {facet.name} "
                                      f"with --map COLUMN={facet.name}.")
                ex.skipped.append(Skipped("unknown_control", f"{path}, {src}", task_id, aid, who,
                                          f"column {control!r} holds {type(value).__name__}s, not choices; ignored"))
                continue
            chosen.setdefault(facet.name, []).extend(values)
        for control in self.labels.not_read & row.keys():
            if (decode_cell(row[control]) if cells else row[control]) not in (None, ""):
                ex.skipped.append(Skipped("unknown_control", f"{path}, {src}", task_id, aid, who,
                                          f"column {control!r} is not among the facets read"))
        for control in self.labels.mentions:
            value = row.get(control)
            if cells:
                value = decode_cell(value)
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

    def row_data(self, task_id: int | str, row: Mapping[str, Any], cells: bool) -> None:
        """Keep a row's task data (the first row of each task); columns that differ between rows are controls."""
        data = {}
        labels = self.labels
        for k, v in row.items():
            if k in ROW_FIELDS:
                if k != "id" or not cells:
                    continue
            elif k in labels.mentions or labels.control(k) is not None or k in labels.not_read:
                continue
            if cells:
                v = decode_cell(v)
            if v is not None and v != "":
                data[k] = v
        first = self.export.task_data.setdefault(task_id, data)
        if first is not data:
            for k in first.keys() ^ data.keys():
                self.varying.add(k)
            for k in first.keys() & data.keys():
                if first[k] != data[k]:
                    self.varying.add(k)

    # ---- common ---------------------------------------------------------------------------------
    def add(self, task_id: int | str, aid: str | None, who: str, chosen: Mapping[str, list[Any]], spans: list[Span],
            ground_truth: bool, ann_id: int | None, updated_at: str, src: str, where: Callable[[], str]) -> None:
        labels: dict[str, tuple[str, ...]] = {}
        ok = True
        for name, values in chosen.items():
            facet = self.labels.by_facet[name]
            checked = self.labels.check(facet, values, where)
            if checked is None:
                ok = False
            elif checked or facet.multi:
                labels[name] = checked
                self.labels.seen.add(name)
        if ok:
            self.export.records.append(AnnotationRecord(task_id, aid, who, labels, ground_truth, ann_id, updated_at,
                                                        tuple(spans), src))

    def finish(self) -> Export:
        ex = self.export
        self.labels.raise_errors(ex.path)
        ex.tasks = len(self.task_ids)
        ex.annotators = dict(sorted(self.people.id_to_email.items()))
        order = {n: i for i, n in enumerate(self.labels.taxonomy.facet_names)}
        ex.facets_seen = sorted(self.labels.seen, key=order.__getitem__)
        ex.controls = {str(c): f.name for c, f in sorted(self.labels.by_name.items(), key=lambda kv: str(kv[0]))}
        unmapped = {str(c) for c in self.labels.unmapped}
        if ex.format != "JSON":  # columns that vary within a task are controls; only they are reported
            for data in ex.task_data.values():
                for k in self.varying & data.keys():
                    del data[k]
            unmapped = (self.varying - ex.controls.keys()) | self.labels.not_read
        ex.unmapped_controls = sorted(unmapped)
        self.fill(ex)
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
        if ex.format == "JSON_MIN":
            ex.notes.append("JSON_MIN rows carry Label Studio's task id in 'id', in place of a task data field named "
                            "'id': a user's own ids survive in the JSON and CSV exports only.")
        return ex

    def fill(self, ex: Export) -> None:
        """Every record answers each seen multi-label facet (no choice: "none"); a record that answers no
        facet at all is reported (``no_facet``), not used."""
        multi = [f for f in ex.facets_seen if self.labels.by_facet[f].multi]
        kept = []
        for r in ex.records:
            for f in multi:
                if f not in r.labels:
                    r.labels[f] = ()  # type: ignore[index] - the record's own dict, before anyone reads it
            if r.labels:
                kept.append(r)
            else:
                ex.skipped.append(Skipped("no_facet", r.source, r.task_id, r.article_id, r.annotator,
                                          f"no result maps to a facet (unmapped controls: "
                                          f"{sorted(self.labels.unmapped, key=str)[:8] or 'none'}); map them "
                                          f"with --map CONTROL=FACET"))
        ex.records = kept


def _choice_values(value: Any) -> list[Any] | None:
    """The choices of a result value or export cell: ``{"choices": [...]}``, a Taxonomy control's
    ``{"taxonomy": [[...], ...]}``, a plain string (one choice in JSON_MIN) or a list; None for anything
    else (a span, a text)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = value.get("choices", value.get("taxonomy"))
    if isinstance(value, list) and all(isinstance(v, (str, list)) for v in value):
        return list(_flat(value))
    return None


def _flat(values: Iterable[Any]) -> Iterator[Any]:
    """Choice values, a Taxonomy control's paths (``[["Europe", "France"]]``) read by their last item."""
    for v in values:
        yield v[-1] if isinstance(v, list) and v else v


def decode_cell(value: Any) -> Any:
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


