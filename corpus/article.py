"""The ``Article`` record: one news item with its parsed fields, raw text and labels."""

from __future__ import annotations

__all__ = ["Article"]

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Article:
    """One news article.

    ``id`` is empty until the corpus fingerprints the article (:func:`corpus.article_id`).
    ``labels`` maps a facet name to a label id (single-label facets) or a list of label ids
    (multi-label facets); it is empty for an unlabeled article. A facet that is not a key of
    ``labels`` is *unannotated* (nobody said anything about it), which is not the same as a key with
    no label (``None`` or ``[]``: annotated, and no label applies). ``source_id`` is the record's own
    id where it came from (a JSON Lines or CSV ``id``, a Label Studio task's id field, else its URL);
    ``id`` is newstag's content fingerprint. ``meta`` holds format-specific fields
    (Reuters' LEWISSPLIT, a Wikipedia story line, …); it is stored as canonical JSON.
    """

    title: str
    body: str
    raw: str = ""
    id: str = ""
    section: str = ""
    date_text: str = ""
    year: int | None = None
    month: int | None = None
    day: int | None = None
    source: str = ""
    url: str = ""
    source_id: str = ""
    tags: tuple[str, ...] = ()
    origin: str = ""
    labels: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Title and body, the text classifiers read."""
        return f"{self.title}\n\n{self.body}" if self.title else self.body

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n\n") if p.strip()]

    def with_changes(self, **changes: Any) -> "Article":
        return replace(self, **changes)
