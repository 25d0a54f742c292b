"""What the Tagger returns: a typed, JSON-ready result per article."""

from __future__ import annotations

__all__ = ["LabelScore", "TermWeight", "AliasMatch", "Evidence", "TagResult", "Scores"]

from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple


# The small records are NamedTuples: typed and immutable like frozen dataclasses, but built at tuple
# speed (a batch of 10,000 articles makes a few hundred thousand of them).

class LabelScore(NamedTuple):
    """A label given to an article, with its score.

    ``source`` is ``"model"`` (a probability of a learned model: a head's calibrated one, or the acting or
    mention-role model's, tagged from a threshold tuned on the training data) or ``"alias-rule"`` for labels
    tagged by the alias rule alone (a model without an acting or role model, for labels with too few training
    examples): the strength of the rule (0.5 means one criterion held).
    """

    label: str
    score: float
    source: str = "model"

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "score": round(float(self.score), 4), "source": self.source}


class TermWeight(NamedTuple):
    """A feature behind a decision: its name and its contribution (feature value x coefficient); for an
    alias-rule label, the alias feature and its value."""

    term: str
    weight: float

    def to_dict(self) -> list:
        return [self.term, round(float(self.weight), 4)]


class AliasMatch(NamedTuple):
    """A mention of a label through one of its aliases (an actor's name, a theme's cue phrase): the text
    matched, its character offsets, the facet of the label, and — for a facet with a mention-role model
    (actors) — its ``role``: the probability that the label acts or is acted upon here, rather than being
    merely mentioned ("in Khost, Afghanistan"); None for other facets and for mentions that get no
    role (``AliasFeatures.role_mentions``)."""

    label: str
    text: str
    start: int
    end: int
    facet: str = "actors"
    role: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"facet": self.facet, "label": self.label, "text": self.text, "start": self.start, "end": self.end}
        if self.role is not None:
            out["role"] = round(self.role, 4)
        return out


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why the labels were chosen.

    Attributes
    ----------
    terms : {facet: {label: (TermWeight, ...)}}
        The top weighted features of each chosen label.
    aliases : (AliasMatch, ...)
        Every alias mention found in the text (chosen or not), of every facet with aliases, in order of
        position.
    """

    terms: Mapping[str, Mapping[str, tuple[TermWeight, ...]]] = field(default_factory=dict)
    aliases: tuple[AliasMatch, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "terms": {f: {lab: [t.to_dict() for t in ts] for lab, ts in labs.items()} for f, labs in self.terms.items()},
            "aliases": [m.to_dict() for m in self.aliases],
        }


@dataclass(frozen=True, slots=True)
class TagResult:
    """The tags of one article.

    ``tags`` maps each facet of the taxonomy to a :class:`LabelScore` (single-label facets; None when the
    model has no head for it) or a tuple of them, best first (multi-label facets). Every facet of the
    model's taxonomy is ``result[name]``, and also an attribute unless its name is one of the result's own
    (``id``, ``tags``, ``evidence``, ``all_scores``, ``labels``, ``to_dict``): ``result.region``, ``result.themes``,
    ``result.actors`` with the default taxonomy.
    ``evidence`` is None when tagging was asked to skip it. ``all_scores`` (when tagging was asked for it:
    ``tag_batch(..., all_scores=True)``, ``newstag tag --all-scores``) maps each facet to every label's
    :class:`LabelScore`, given or not, in the taxonomy's order; None otherwise.
    """

    id: str | None
    tags: Mapping[str, LabelScore | None | tuple[LabelScore, ...]]
    evidence: Evidence | None = None
    all_scores: Mapping[str, tuple[LabelScore, ...]] | None = None

    def __getitem__(self, facet: str):
        try:
            return self.tags[facet]
        except KeyError:
            raise KeyError(f"facet {facet!r} is not in this model's taxonomy; its facets are {list(self.tags)}.") from None

    def __getattr__(self, name: str):
        # facets are attributes too (result.region, result.themes, result.actors with the default taxonomy):
        # called only for names that are not the dataclass's own
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            tags = object.__getattribute__(self, "tags")
        except AttributeError:
            raise AttributeError(name) from None
        if name in tags:
            return tags[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}, and {name!r} is not a facet of "
                             f"this model's taxonomy; its facets are {list(tags)}.")

    def __dir__(self):
        return sorted({*object.__dir__(self), *(f for f in self.tags if f.isidentifier())})

    def labels(self, facet: str):
        """The label ids of a facet: a str (or None) for a single-label facet, a list for a multi-label one."""
        v = self[facet]
        if v is None or isinstance(v, LabelScore):
            return None if v is None else v.label
        return [s.label for s in v]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``id``, one key per facet (taxonomy order), ``evidence`` and ``all_scores`` (when
        they were asked for)."""
        out: dict[str, Any] = {"id": self.id}
        for facet, v in self.tags.items():
            out[facet] = None if v is None else v.to_dict() if isinstance(v, LabelScore) else [s.to_dict() for s in v]
        if self.evidence is not None:
            out["evidence"] = self.evidence.to_dict()
        if self.all_scores is not None:
            out["all_scores"] = {facet: [s.to_dict() for s in v] for facet, v in self.all_scores.items()}
        return out


@dataclass(frozen=True)
class Scores:
    """Every facet's scores of a batch of texts and what :meth:`Tagger.predict` decides from them: what
    :meth:`Tagger.scores` returns, for evaluation and inspection.

    Attributes
    ----------
    proba : {facet: (n_texts, n_labels) array}
        Scores, columns in the taxonomy's label order (:meth:`Tagger.predict_proba`).
    thresholds : {facet: (n_labels,) array}
        The score a label of a multi-label facet needs (inf: never given; 0 for a single-label facet's
        learned labels, which are decided by the best score).
    labels : {facet: [labels per text]}
        The decisions (:meth:`Tagger.predict`'s format).
    alias_features : {facet: sparse (n_texts, n_features) matrix}
        The :class:`AliasFeatures` of each facet with aliases (the alias rule's input).
    """

    proba: Mapping[str, Any]
    thresholds: Mapping[str, Any]
    labels: Mapping[str, list]
    alias_features: Mapping[str, Any]

