"""The neutral records every export format is parsed into (see :mod:`annotation._export`)."""

from __future__ import annotations

__all__ = ["AnnotationRecord", "Span", "Skipped", "Export", "FORMATS", "SKIP_KINDS", "ROW_FIELDS"]

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

FORMATS = ("JSON", "JSON_MIN", "CSV", "TSV")
# What a Skipped entry can be (the report's rows). Every kind is fatal in strict mode.
SKIP_KINDS = {
    "cancelled": "skipped by the annotator (was_cancelled)",
    "draft": "draft, never submitted",
    "untouched": "task with no annotation",
    "no_annotator": "annotation without an annotator",
    "unknown_control": "result from a control that is not a facet",
    "no_facet": "annotation with no result for any facet",
    "superseded": "older annotation by the same annotator on the same article",
    "unknown_article": "task matches no article of the corpus",
    "no_text": "task data without article text",
}
# The fields Label Studio adds to each JSON_MIN / CSV row (never task data).
ROW_FIELDS = frozenset({"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "drafts",
                        "predictions", "annotations", "total_annotations", "cancelled_annotations",
                        "total_predictions"})


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

    task_id: int | str
    article_id: str | None
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
    task_id: int | str | None = None
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
    task_data: dict[int | str, dict[str, Any]] = field(default_factory=dict)  # task -> its data fields, in order
    controls: dict[str, str] = field(default_factory=dict)  # control -> facet, for the controls seen
    unmapped_controls: list[str] = field(default_factory=list)  # controls (or columns) mapped to no facet
    facets_seen: list[str] = field(default_factory=list)  # facets some annotation answers (taxonomy order)

    def __iter__(self) -> Iterator[AnnotationRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)
