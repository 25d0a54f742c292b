"""Inter-annotator agreement per facet and per label, each figure with the number of items behind it.

Figures (all chance-corrected; 1 is perfect agreement, 0 is chance level, below 0 worse than chance):

- **Cohen's kappa** for two annotators, on the items both annotated. For a single-label facet it is
  given for the facet when the facet has exactly two annotators, and for every pair of annotators
  (``pairs``) whatever their number.
- **Fleiss' kappa** for any fixed number of annotators per item; given when every item with at least
  two annotations has the same number of them (otherwise ``None``, with a note).
- **Krippendorff's alpha** for any number of annotators and missing annotations: nominal distance for
  single-label facets and per label; for a multi-label facet, the facet figure uses the MASI distance
  between label sets (Passonneau 2006: ``1 - Jaccard × M``, M = 1 for equal sets, 2/3 when one contains
  the other, 1/3 when they overlap, 0 when disjoint).
- **Per label**: each label as a binary "present / absent" annotation per item (one-vs-rest for a
  single-label facet), with alpha, Fleiss' kappa and (two annotators) Cohen's kappa. Only labels some
  annotator used are listed: the others have nothing to agree on.

An item counts for a facet when at least two annotators answered that facet for it (``n_items``). A
figure is ``None`` with a note when it is undefined: fewer than two such items' worth of data, or no
variation at all (every annotation the same value: expected disagreement is zero).
"""

from __future__ import annotations

__all__ = ["Figure", "LabelAgreement", "FacetAgreement", "AgreementReport", "agreement", "agreement_from_ratings",
           "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "masi_distance", "plot_agreement"]

from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Mapping, Sequence

import numpy as np

from corpus import Corpus, Taxonomy

_NO_VARIATION = "undefined: no variation (every annotation has the same value)"
_NO_ITEMS = "undefined: no item has two annotations"


@dataclass(frozen=True)
class Figure:
    """An agreement figure, the number of items it rests on, and why it is None when it is."""

    value: float | None
    n_items: int
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "n_items": self.n_items}
        if self.note:
            out["note"] = self.note
        return out


def _figure(num: float, den: float, n_items: int) -> Figure:
    if n_items == 0:
        return Figure(None, 0, _NO_ITEMS)
    if den <= 1e-12:
        return Figure(None, n_items, _NO_VARIATION)
    return Figure(float(num / den), n_items)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> Figure:
    """Cohen's kappa of two annotators' paired values: ``(p_o - p_e) / (1 - p_e)``."""
    if len(a) != len(b):
        raise ValueError(f"cohen_kappa needs paired values, got {len(a)} and {len(b)}.")
    n = len(a)
    if n == 0:
        return Figure(None, 0, _NO_ITEMS)
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    return _figure(po - pe, 1.0 - pe, n)


def fleiss_kappa(units: Sequence[Sequence[Hashable]]) -> Figure:
    """Fleiss' kappa over items that each have the same number (>= 2) of annotations."""
    units = [u for u in units if len(u) >= 2]
    if not units:
        return Figure(None, 0, _NO_ITEMS)
    sizes = {len(u) for u in units}
    if len(sizes) > 1:
        return Figure(None, len(units), f"undefined: annotators per item vary ({min(sizes)}–{max(sizes)}); "
                                        f"see Krippendorff's alpha")
    m = sizes.pop()
    n_items = len(units)
    totals: Counter[Hashable] = Counter()
    p_bar = 0.0
    for u in units:
        c = Counter(u)
        totals.update(c)
        p_bar += (sum(v * v for v in c.values()) - m) / (m * (m - 1))
    p_bar /= n_items
    pe = sum((v / (n_items * m)) ** 2 for v in totals.values())
    return _figure(p_bar - pe, 1.0 - pe, n_items)


def masi_distance(a: frozenset, b: frozenset) -> float:
    """MASI distance between two label sets (0 for equal sets, including two empty ones)."""
    if a == b:
        return 0.0
    inter = len(a & b)
    if inter == 0:
        return 1.0
    m = 2 / 3 if inter == min(len(a), len(b)) else 1 / 3
    return 1.0 - inter / len(a | b) * m


def _masi_expected(totals: Mapping[frozenset, int], block: int = 512) -> float:
    """``sum over ordered pairs of values (a, b) of n_a * n_b * MASI distance(a, b)``, exactly.

    Only intersecting sets are similar (distance < 1), so the similarity part is summed over the pairs a
    sparse ``X @ X.T`` finds (X: distinct sets x labels), over the upper triangle only, a block of rows at
    a time: time and memory grow with the number of intersecting pairs, not with the square of the number
    of distinct sets. With ``k = |a & b|``, MASI similarity is ``k / |a | b| * M`` and
    ``M = (1 + [k == |a|] + [k == |b|]) / 3`` (1 equal, 2/3 subset, 1/3 overlap).
    """
    import scipy.sparse as sp

    values = [v for v in totals if v]
    w_empty = float(totals.get(frozenset(), 0))
    n = float(sum(totals.values()))
    similarity = w_empty * w_empty  # the empty set is equal to itself (distance 0)
    if values:
        col: dict[Any, int] = {}
        rows, cols = [], []
        for i, v in enumerate(values):
            for lab in v:
                rows.append(i)
                cols.append(col.setdefault(lab, len(col)))
        x = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(values), len(col)))
        size = np.asarray(x.sum(1)).ravel()
        w = np.array([totals[v] for v in values], dtype=float)
        similarity += float(w @ w)  # a value with itself
        off_diagonal = 0.0
        for start in range(0, len(values), block):
            inter = (x[start:start + block] @ x[start:].T).tocoo()
            keep = inter.col > inter.row  # pairs (i, j) with i < j, in block coordinates
            i, j, k = inter.row[keep] + start, inter.col[keep] + start, inter.data[keep]
            si, sj = size[i], size[j]
            m = (1.0 + (k == si) + (k == sj)) / 3.0
            off_diagonal += float(np.sum(w[i] * w[j] * (k / (si + sj - k)) * m))
        similarity += 2.0 * off_diagonal
    return n * n - similarity


def krippendorff_alpha(units: Iterable[Sequence[Hashable]], distance: str | Callable[[Any, Any], float] = "nominal"
                       ) -> Figure:
    """Krippendorff's alpha, ``1 - D_o / D_e``, over units (items) of any number of values.

    Units with fewer than two values are not pairable and do not count. ``distance`` is ``"nominal"``,
    ``"masi"`` (values are label sets) or a function of two values.
    """
    units = [list(u) for u in units if len(u) >= 2]
    n_items = len(units)
    if not n_items:
        return Figure(None, 0, _NO_ITEMS)
    n = sum(len(u) for u in units)
    totals: Counter[Hashable] = Counter()
    d_o = 0.0
    delta: Callable[[Any, Any], float] = (
        (lambda a, b: float(a != b)) if distance == "nominal"
        else masi_distance if distance == "masi" else distance  # type: ignore[assignment]
    )
    for u in units:
        c = Counter(u)
        totals.update(c)
        if len(c) == 1:
            continue
        vals = list(c.items())
        s = 0.0
        for i, (va, ca) in enumerate(vals):
            for vb, cb in vals[i + 1:]:
                s += 2 * ca * cb * delta(va, vb)
        d_o += s / (len(u) - 1)
    if distance == "nominal":
        expected = n * n - sum(v * v for v in totals.values())
    elif distance == "masi":
        expected = _masi_expected(totals)
    else:
        values = list(totals)
        expected = sum(totals[a] * totals[b] * delta(a, b) for a in values for b in values if a != b)
    d_o /= n
    d_e = expected / (n * (n - 1))
    if d_e <= 1e-12:
        return Figure(None, n_items, _NO_VARIATION)
    return Figure(float(1.0 - d_o / d_e), n_items)


def _binary_figures(present: np.ndarray, rated: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Alpha and Fleiss' kappa per label from per-item counts, vectorised.

    ``present`` is items × labels (annotators who chose the label), ``rated`` the annotators per item.
    Returns (alpha, fleiss, fleiss_defined) arrays; NaN where undefined.
    """
    m = rated[:, None].astype(float)
    k = present.astype(float)
    n = float(rated.sum())
    d_o = (2 * k * (m - k) / (m - 1)).sum(0) / n
    n1 = k.sum(0)
    d_e = 2 * n1 * (n - n1) / (n * (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(d_e > 1e-12, 1 - d_o / d_e, np.nan)
        p_i = (k * k + (m - k) ** 2 - m) / (m * (m - 1))
        p_bar = p_i.mean(0)
        p1 = n1 / n
        pe = p1 ** 2 + (1 - p1) ** 2
        fleiss = np.where(1 - pe > 1e-12, (p_bar - pe) / (1 - pe), np.nan)
    return alpha, fleiss, np.full(len(alpha), len(set(rated.tolist())) == 1)


@dataclass(frozen=True)
class LabelAgreement:
    label: str
    positives: int  # annotations (annotator × item, over the n_items items) that chose the label
    alpha: Figure
    fleiss: Figure
    cohen: Figure | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"positives": self.positives, "krippendorff_alpha": self.alpha.as_dict(),
               "fleiss_kappa": self.fleiss.as_dict()}
        if self.cohen is not None:
            out["cohen_kappa"] = self.cohen.as_dict()
        return out


@dataclass
class FacetAgreement:
    facet: str
    kind: str
    n_items: int
    annotators: list[str]
    alpha: Figure
    fleiss: Figure | None = None
    cohen: Figure | None = None
    pairs: list[tuple[str, str, Figure]] = field(default_factory=list)
    labels: dict[str, LabelAgreement] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind, "n_items": self.n_items, "annotators": self.annotators,
            "krippendorff_alpha": {**self.alpha.as_dict(),
                                   "distance": "masi" if self.kind == "multi" else "nominal"},
            "labels": {k: v.as_dict() for k, v in self.labels.items()},
        }
        if self.fleiss is not None:
            out["fleiss_kappa"] = self.fleiss.as_dict()
        if self.cohen is not None:
            out["cohen_kappa"] = self.cohen.as_dict()
        if self.pairs:
            out["pairs"] = [{"annotators": [a, b], "cohen_kappa": f.as_dict()} for a, b, f in self.pairs]
        return out


@dataclass
class AgreementReport:
    facets: dict[str, FacetAgreement]
    articles: int

    def as_dict(self) -> dict[str, Any]:
        return {"articles": self.articles, "facets": {k: v.as_dict() for k, v in self.facets.items()}}


def _sort_people(names: Iterable[str]) -> list[str]:
    return sorted(names, key=lambda a: (not a.isdigit(), int(a) if a.isdigit() else 0, a))


def _facet_agreement(name: str, multi: bool, label_order: Sequence[str],
                     items: Mapping[str, Mapping[str, Any]]) -> FacetAgreement:
    """``items``: item -> annotator -> value (a label for single, a frozenset for multi)."""
    pairable = {i: r for i, r in items.items() if len(r) >= 2}
    people = _sort_people({a for r in pairable.values() for a in r})
    units = [list(r.values()) for r in pairable.values()]
    out = FacetAgreement(name, "multi" if multi else "single", len(pairable), people,
                         krippendorff_alpha(units, "masi" if multi else "nominal"))
    if not multi:
        out.fleiss = fleiss_kappa(units)
        for a, b in combinations(people, 2):
            shared = [r for r in pairable.values() if a in r and b in r]
            if shared:
                out.pairs.append((a, b, cohen_kappa([r[a] for r in shared], [r[b] for r in shared])))
        if len(people) == 2:
            out.cohen = out.pairs[0][2] if out.pairs else Figure(None, 0, _NO_ITEMS)
    if not pairable:
        return out
    seen = {lab for r in pairable.values() for v in r.values() for lab in (v if multi else (v,))}
    used = [lab for lab in label_order if lab in seen]
    if not used:
        return out
    col = {lab: j for j, lab in enumerate(used)}
    rated = np.array([len(r) for r in pairable.values()])
    present = np.zeros((len(pairable), len(used)), dtype=np.int64)
    for i, r in enumerate(pairable.values()):
        for v in r.values():
            for lab in (v if multi else (v,)):
                if lab in col:
                    present[i, col[lab]] += 1
    alpha, fleiss, same_size = _binary_figures(present, rated)
    n_items = len(pairable)
    vary_note = (f"undefined: annotators per item vary ({int(rated.min())}–{int(rated.max())}); "
                 f"see Krippendorff's alpha")
    for j, lab in enumerate(used):
        a = Figure(None, n_items, _NO_VARIATION) if np.isnan(alpha[j]) else Figure(float(alpha[j]), n_items)
        if not same_size[j]:
            f = Figure(None, n_items, vary_note)
        else:
            f = Figure(None, n_items, _NO_VARIATION) if np.isnan(fleiss[j]) else Figure(float(fleiss[j]), n_items)
        cohen = None
        if len(people) == 2:
            pa, pb = people
            shared = [r for r in pairable.values() if pa in r and pb in r]
            has = (lambda v: lab in v) if multi else (lambda v: v == lab)
            cohen = cohen_kappa([has(r[pa]) for r in shared], [has(r[pb]) for r in shared])
        out.labels[lab] = LabelAgreement(lab, int(present[:, j].sum()), a, f, cohen)
    return out


def agreement_from_ratings(ratings: Mapping[str, Mapping[str, Mapping[str, Any]]],
                           taxonomy: Taxonomy) -> dict[str, FacetAgreement]:
    """Agreement per facet from ``ratings[facet][item][annotator]`` = label (single) or labels (multi)."""
    out = {}
    for facet in taxonomy.facets:
        items = ratings.get(facet.name, {})
        if facet.multi:
            items = {i: {a: frozenset(v) for a, v in r.items()} for i, r in items.items()}
        out[facet.name] = _facet_agreement(facet.name, facet.multi, facet.ids, items)
    return out


def agreement(corpus: Corpus, *, ground_truth: bool = False) -> AgreementReport:
    """Agreement figures from every annotator's labels kept in the corpus ``annotations`` column.

    Annotations marked ``ground_truth`` (an adjudication that settles a disagreement) are left out unless
    ``ground_truth``: they are not an independent rating, and only the items in dispute have them.
    """
    taxonomy = corpus.taxonomy
    ratings: dict[str, dict[str, dict[str, Any]]] = {f.name: {} for f in taxonomy.facets}
    multi = {f.name: f.multi for f in taxonomy.facets}
    cols = corpus.dataset.select_columns(["id", "annotations"]).to_dict()
    for aid, entries in zip(cols["id"], cols["annotations"]):
        for e in entries or []:
            facet = e["facet"]
            if facet not in ratings or (e.get("ground_truth") and not ground_truth):
                continue
            labels = e["labels"] or []
            if multi[facet]:
                ratings[facet].setdefault(aid, {})[e["annotator"]] = labels
            elif len(labels) == 1:
                ratings[facet].setdefault(aid, {})[e["annotator"]] = labels[0]
    return AgreementReport(agreement_from_ratings(ratings, taxonomy), len(corpus))


def plot_agreement(report: AgreementReport, path: str | Path, *, max_labels: int = 25) -> Path:
    """A PNG bar chart: Krippendorff's alpha per label (the most used labels), one panel per facet."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from corpus.atomic import atomic_path

    facets = list(report.facets.values())
    fig, axes = plt.subplots(len(facets), 1, figsize=(9, 2.8 * max(len(facets), 1)), squeeze=False)
    for ax, fa in zip(axes[:, 0], facets):
        labs = sorted(fa.labels.values(), key=lambda la: -la.positives)[:max_labels]
        vals = [la.alpha.value if la.alpha.value is not None else 0.0 for la in labs]
        ax.bar(range(len(labs)), vals, color=["#4c72b0" if la.alpha.value is not None else "#cccccc" for la in labs])
        ax.set_xticks(range(len(labs)), [la.label for la in labs], rotation=60, ha="right", fontsize=8)
        ax.axhline(0.0, color="black", linewidth=0.6)
        ax.set_ylim(min(-0.2, min(vals, default=0.0)), 1.0)
        facet_alpha = "n/a" if fa.alpha.value is None else f"{fa.alpha.value:.2f}"
        ax.set_title(f"{fa.facet}: alpha {facet_alpha} over {fa.n_items} items "
                     f"({len(fa.annotators)} annotators); per label (grey: undefined)", fontsize=9)
        ax.set_ylabel("Krippendorff's alpha")
    fig.tight_layout()
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
    return path
