"""Evaluation of a Tagger on a split: per-facet metrics beside two baselines, JSON, Markdown and plots."""

from __future__ import annotations

__all__ = ["evaluate", "Report", "FacetReport", "SystemMetrics", "SYSTEMS"]

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from corpus import Corpus, InputError, check_output_folder
from corpus.atomic import atomic_savefig, atomic_write_json, atomic_write_text
from corpus.split_manifest import split_rows

from ._calibration import plot_reliability, reliability

# The systems every facet is scored for, in report order.
SYSTEMS = ("model", "majority", "alias_rules")
_SYSTEM_NAMES = {"model": "model", "sklearn": "plain scikit-learn pipeline", "majority": "majority baseline",
                 "alias_rules": "alias rules only"}


@dataclass
class SystemMetrics:
    """Scores of one system on one facet.

    ``macro_f1`` averages over the labels with at least one example in the evaluated split;
    ``hamming_loss`` is over every label of the facet; ``subset_accuracy`` is exact-match accuracy
    (for a single-label facet it equals accuracy and micro-F1).
    """

    micro_f1: float
    macro_f1: float
    hamming_loss: float
    subset_accuracy: float
    per_label: dict[str, dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        return {"micro_f1": _r(self.micro_f1), "macro_f1": _r(self.macro_f1), "hamming_loss": _r(self.hamming_loss),
                "subset_accuracy": _r(self.subset_accuracy),
                "per_label": {k: {m: (_r(v) if m != "support" else int(v)) for m, v in d.items()}
                              for k, d in self.per_label.items()}}

    def summary(self) -> dict[str, float]:
        return {k: v for k, v in self.to_dict().items() if k != "per_label"}


@dataclass
class FacetReport:
    facet: str
    kind: str
    articles: int
    systems: dict[str, SystemMetrics | None]
    notes: dict[str, str] = field(default_factory=dict)
    confusion: dict[str, Any] | None = None  # single-label: {"labels": [...], "matrix": [[...]]} (rows = truth)
    average_precision: dict[str, float] | None = None  # multi-label: per label, and "micro"
    calibration: dict[str, Any] | None = None  # reliability bins and ECE of the model's scores (classifier._calibration)
    # for plots only (not in JSON): truth indicator and model scores of the labels with support
    _curves: tuple[list[str], np.ndarray, np.ndarray] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "articles": self.articles,
                               "systems": {k: (v.to_dict() if v is not None else None) for k, v in self.systems.items()},
                               "notes": dict(self.notes)}
        if self.confusion is not None:
            out["confusion_matrix"] = self.confusion
        if self.average_precision is not None:
            out["average_precision"] = {k: _r(v) for k, v in self.average_precision.items()}
        if self.calibration is not None:
            out["calibration"] = self.calibration
        return out


@dataclass
class Report:
    """What :func:`evaluate` returns; :meth:`write` saves ``report.json``, ``report.md`` and the plots."""

    split: str
    articles: int
    facets: dict[str, FacetReport]
    corpus_fingerprint: str | None = None
    model: dict[str, Any] = field(default_factory=dict)
    seen_left_out: int = 0  # the split's articles left out as texts the model was trained on (``exclude_seen``)

    def to_dict(self) -> dict[str, Any]:
        return {"split": self.split, "articles": self.articles, "seen_left_out": self.seen_left_out,
                "corpus_fingerprint": self.corpus_fingerprint,
                "model": self.model, "facets": {k: v.to_dict() for k, v in self.facets.items()}}

    def summary(self) -> dict[str, Any]:
        """The headline numbers (what the model card keeps): per facet and system, micro/macro F1 etc."""
        return {"split": self.split, "articles": self.articles,
                "facets": {k: {s: (m.summary() if m is not None else None) for s, m in v.systems.items()}
                           for k, v in self.facets.items()},
                "calibration": {k: v.calibration for k, v in self.facets.items() if v.calibration is not None}}

    def to_markdown(self, images: Mapping[str, list[str]] | None = None) -> str:
        lines = [f"# Evaluation on split `{self.split}`", "",
                 f"{self.articles} articles; corpus fingerprint `{(self.corpus_fingerprint or '')[:16]}`; "
                 f"model trained on {self.model.get('articles', '?')} articles, seed {self.model.get('random_state', '?')}."
                 + (f" {self.seen_left_out} articles the model was trained on were left out of the split (the same "
                    f"text; `--exclude-seen`)." if self.seen_left_out else ""),
                 "", "Macro-F1 averages over the labels present in this split; Hamming loss is over every label of "
                 "the facet. Baselines: *majority* predicts the most frequent training label(s); *alias rules only* "
                 "tags what the alias rule finds in a facet's aliases or cue phrases (mentioned in the title, in the first "
                 "paragraph, or twice; region by the regions of the most-mentioned actors).", ""]
        for name, fr in self.facets.items():
            lines += [f"## {name} ({fr.kind}-label, {fr.articles} articles)", "",
                      "| system | micro-F1 | macro-F1 | Hamming loss | subset accuracy |", "|---|---|---|---|---|"]
            for sys_name, m in fr.systems.items():
                if m is None:
                    lines.append(f"| {_SYSTEM_NAMES[sys_name]} | n/a | n/a | n/a | n/a |")
                else:
                    lines.append(f"| {_SYSTEM_NAMES[sys_name]} | {m.micro_f1:.3f} | {m.macro_f1:.3f} | "
                                 f"{m.hamming_loss:.3f} | {m.subset_accuracy:.3f} |")
            for sys_name, note in fr.notes.items():
                lines.append(f"\n*{_SYSTEM_NAMES.get(sys_name, sys_name)}*: {note}")
            model = fr.systems.get("model")
            if model is not None and model.per_label:
                rule = fr.systems.get("alias_rules")
                lines += ["", "| label | precision | recall | F1 | support | alias-rules F1 |", "|---|---|---|---|---|---|"]
                for lab, d in sorted(model.per_label.items(), key=lambda kv: (-kv[1]["support"], kv[0])):
                    rf = rule.per_label.get(lab, {}).get("f1") if rule is not None else None
                    lines.append(f"| {lab} | {d['precision']:.3f} | {d['recall']:.3f} | {d['f1']:.3f} | "
                                 f"{int(d['support'])} | {'' if rf is None else f'{rf:.3f}'} |")
            if fr.confusion is not None:
                labs = fr.confusion["labels"]
                lines += ["", "Confusion matrix (rows: truth, columns: model).", "",
                          "| | " + " | ".join(labs) + " |", "|---" * (len(labs) + 1) + "|"]
                for lab, row in zip(labs, fr.confusion["matrix"]):
                    lines.append(f"| **{lab}** | " + " | ".join(str(v) for v in row) + " |")
            if fr.average_precision:
                lines += ["", "Average precision (model scores): " + ", ".join(
                    f"{k} {v:.3f}" for k, v in fr.average_precision.items())]
            for img in (images or {}).get(name, []):
                lines += ["", f"![{img}]({img})"]
            lines.append("")
        if any(fr.calibration for fr in self.facets.values()):
            lines += ["## Calibration", "", "Do the scores mean what they say? Expected calibration error (ECE, 10 "
                      "equal-width score bins; multi-label: every article x label, single-label: the chosen label): "
                      + ", ".join(f"{k} {fr.calibration['ece']:.4f}" for k, fr in self.facets.items() if fr.calibration)
                      + ".", ""]
            lines += [f"![{img}]({img})" for img in (images or {}).get("", [])] + [""]
        return "\n".join(lines)

    def write(self, directory: str | Path) -> dict[str, Path]:
        """Write ``report.json``, ``report.md`` and PNG plots into ``directory``; returns the paths by name."""
        directory = Path(directory)
        check_output_folder(directory, what="report", error=InputError,
                            is_ours=lambda p: (p / "report.json").is_file() and not (p / "manifest.json").exists())
        directory.mkdir(parents=True, exist_ok=True)
        images = _plots(self, directory)
        paths = {"json": directory / "report.json", "markdown": directory / "report.md"}
        atomic_write_json(paths["json"], self.to_dict())
        atomic_write_text(paths["markdown"], self.to_markdown({k: [p.name for p in v] for k, v in images.items()}))
        for facet, ps in images.items():
            for p in ps:
                paths[p.stem] = p
        return paths


def _r(x: float) -> float:
    return round(float(x), 4)


# --------------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------------

def _multi_metrics(Y: np.ndarray, P: np.ndarray, labels: list[str]) -> SystemMetrics:
    from sklearn.metrics import f1_score, hamming_loss, precision_recall_fscore_support

    support = Y.sum(axis=0)
    present = np.flatnonzero(support > 0)
    p, r, f, s = precision_recall_fscore_support(Y, P, average=None, zero_division=0)
    shown = np.flatnonzero((support > 0) | (P.sum(axis=0) > 0))
    per_label = {labels[k]: {"precision": p[k], "recall": r[k], "f1": f[k], "support": s[k]} for k in shown}
    micro = f1_score(Y, P, average="micro", zero_division=0) if Y.size else 0.0
    macro = float(np.mean(f[present])) if len(present) else 0.0
    subset = float(np.mean(np.all(Y == P, axis=1))) if len(Y) else 0.0
    return SystemMetrics(float(micro), macro, float(hamming_loss(Y, P)) if len(Y) else 0.0, subset, per_label)


def _single_metrics(y: list[str], p: list[str], labels: list[str]) -> SystemMetrics:
    from sklearn.metrics import precision_recall_fscore_support

    present = [lab for lab in labels if lab in set(y)]
    shown = [lab for lab in labels if lab in set(y) | set(p)]
    pr, rc, f1, sup = precision_recall_fscore_support(y, p, labels=shown, average=None, zero_division=0)
    per_label = {lab: {"precision": a, "recall": b, "f1": c, "support": d} for lab, a, b, c, d in zip(shown, pr, rc, f1, sup)}
    acc = float(np.mean([a == b for a, b in zip(y, p)])) if y else 0.0
    macro = float(np.mean([per_label[lab]["f1"] for lab in present])) if present else 0.0
    return SystemMetrics(acc, macro, 1.0 - acc, acc, per_label)


# --------------------------------------------------------------------------------------------------
# evaluate()
# --------------------------------------------------------------------------------------------------

def evaluate(tagger, corpus: Corpus, split: str = "eval", splits=None, *, exclude_seen: bool = False) -> Report:
    """Score ``tagger`` on the ``split`` articles of ``corpus``, beside a majority and an alias-rules baseline.

    Parameters
    ----------
    tagger : fitted Tagger
    corpus : Corpus
    split : name of the split to evaluate on (never the one the model was trained on)
    splits : SplitManifest or ``{split: [ids]}``; default: the manifest saved beside the corpus
    exclude_seen : leave out the split's articles whose text the model was trained on (:meth:`Tagger.seen`) and
        score the rest, instead of refusing; the report says how many (``seen_left_out``)

    Raises
    ------
    InputError
        When the split is unknown, empty, names articles not in the corpus, or is the training split; when it
        holds texts the model was trained on (unless ``exclude_seen``).
    """
    from sklearn.utils.validation import check_is_fitted

    from ._alias_rules import AliasRuleClassifier

    check_is_fitted(tagger, "heads_")
    if splits is None:
        if getattr(corpus, "path", None) is None:
            raise InputError("evaluate: the corpus was not loaded from a folder; pass splits= (a SplitManifest).")
        from corpus import load_splits

        splits = load_splits(corpus.path)
    rows = split_rows(corpus.ids, splits, split, who="evaluate")
    trained_on = (tagger.training_.get("splits") or {}).get("fit_on")
    if trained_on == split and (tagger.training_.get("splits") or {}).get("ids_sha256", {}).get(split):
        raise InputError(
            f"evaluate: the model was trained on the {split!r} split; evaluate on another one (e.g. eval)."
        )
    if ((tagger.training_.get("splits") or {}).get("method") == "refit"
            and tagger.training_.get("corpus_fingerprint") == corpus.fingerprint):
        raise InputError(
            f"evaluate: this model was refitted on every labeled article of this corpus (`newstag train --refit`), the "
            f"{split!r} articles included, so its score on them would flatter it. Its card holds the estimate made "
            f"before the refit; to evaluate, train with `newstag train` without --refit and evaluate that model."
        )
    texts_all = corpus.texts()
    rows, seen = _unseen_rows(tagger, corpus.ids, texts_all, rows, split, exclude_seen)
    if not rows:
        raise InputError(f"evaluate: the {split!r} split is empty; nothing to evaluate"
                         + (f" once the {seen} articles the model was trained on are left out." if seen else "."))
    texts = [texts_all[i] for i in rows]
    tax = tagger.fitted_taxonomy
    if corpus.taxonomy.hash != tax.hash:
        raise InputError(
            f"evaluate: the corpus's taxonomy ({corpus.taxonomy.hash[:12]}) is not the model's ({tax.hash[:12]}); "
            f"evaluate on a corpus built with the model's taxonomy."
        )

    scores = tagger.scores(texts)
    preds = scores.labels
    plain = _plain_baseline(corpus, splits, tax, texts, tagger.random_state)

    facets: dict[str, FacetReport] = {}
    for f in tax.facets:
        truth, annotated = corpus.labels(f.name), corpus.annotated(f.name)
        truth = [truth[i] if annotated[i] else None for i in rows]  # None: no label, or not annotated for f
        counts = tagger.label_counts_.get(f.name, {})
        notes: dict[str, str] = {}
        if f.multi:
            keep = [i for i, v in enumerate(truth) if v is not None]  # the articles annotated for f
            pos = {lab: k for k, lab in enumerate(f.ids)}
            Y = np.zeros((len(keep), len(f.ids)), dtype=int)
            P = np.zeros_like(Y)
            for k, i in enumerate(keep):
                for lab in truth[i]:
                    Y[k, pos[lab]] = 1
                for lab in preds[f.name][i]:
                    P[k, pos[lab]] = 1
            n_train = tagger.training_.get("articles", 0) or 1
            M = np.tile([1 if counts.get(lab, 0) * 2 > n_train else 0 for lab in f.ids], (len(keep), 1))
            S = np.zeros_like(Y)
            for k, i in enumerate(keep):
                for lab in plain[f.name][i]:
                    S[k, pos[lab]] = 1
            systems = {"model": _multi_metrics(Y, P, f.ids), "sklearn": _multi_metrics(Y, S, f.ids),
                       "majority": _multi_metrics(Y, M, f.ids)}
            block = tagger.alias_features(f.name)
            if block is not None:
                rule = AliasRuleClassifier(aliases=block.aliases).fit()
                systems["alias_rules"] = _multi_metrics(Y, rule.predict_from_features(scores.alias_features[f.name])[keep],
                                                        f.ids)
            else:
                systems["alias_rules"] = None
                notes["alias_rules"] = f"no alias rule for {f.name}: its labels have no aliases."
            s = scores.proba[f.name][keep]
            present = np.flatnonzero(Y.sum(axis=0) > 0)
            ap = _average_precision(Y, s, present, f.ids)
            fr = FacetReport(f.name, f.kind, len(keep), systems, notes, average_precision=ap,
                             calibration=reliability(Y, s) if len(keep) else None,
                             _curves=([f.ids[k] for k in present], Y[:, present], s[:, present]))
        else:
            keep = [i for i, v in enumerate(truth) if v is not None]
            y = [truth[i] for i in keep]
            p = [preds[f.name][i] for i in keep]
            if counts:
                top = max(f.ids, key=lambda lab: (counts.get(lab, 0), -f.ids.index(lab)))
                majority = [top] * len(y)
            else:
                majority = [None] * len(y)
            systems = {"model": _single_metrics(y, [v or "" for v in p], f.ids),
                       "sklearn": _single_metrics(y, [plain[f.name][i] or "" for i in keep], f.ids),
                       "majority": _single_metrics(y, [v or "" for v in majority], f.ids)}
            vote = _group_vote(tagger, f, scores, keep, majority[0] if majority else None)
            if vote is None:
                systems["alias_rules"] = None
                notes["alias_rules"] = f"no alias rule for {f.name}: its labels are not the groups of the alias facet."
            else:
                systems["alias_rules"] = _single_metrics(y, [v or "" for v in vote], f.ids)
            labs = [lab for lab in f.ids if lab in set(y) | set(p)]
            from sklearn.metrics import confusion_matrix

            cm = confusion_matrix(y, p, labels=labs) if y else np.zeros((0, 0), dtype=int)
            chosen = [(k, f.ids.index(p[k])) for k in range(len(keep)) if p[k]]  # the top score and whether it was right
            top = scores.proba[f.name][[keep[k] for k, _ in chosen], [j for _, j in chosen]] if chosen else []
            fr = FacetReport(f.name, f.kind, len(keep), systems, notes,
                             calibration=reliability([p[k] == y[k] for k, _ in chosen], top, pairs="top")
                             if chosen else None,
                             confusion={"labels": labs, "matrix": cm.astype(int).tolist()})
        facets[f.name] = fr
    model = {k: tagger.training_.get(k) for k in ("articles", "random_state", "corpus_fingerprint")}
    model["taxonomy_hash"] = tax.hash
    return Report(split, len(rows), facets, corpus_fingerprint=corpus.fingerprint, model=model, seen_left_out=seen)


def _unseen_rows(tagger, ids, texts, rows: list[int], split: str, exclude: bool) -> tuple[list[int], int]:
    """``rows`` without the texts the model was trained on and how many those were; an :class:`InputError` naming
    them unless ``exclude``. A model saved before it kept its training digests is taken at the manifest's word."""
    seen = tagger.seen([texts[i] for i in rows])
    if seen is None or not seen.any():
        return rows, 0
    hit = [ids[i] for i, s in zip(rows, seen) if s]
    if not exclude:
        raise InputError(
            f"evaluate: {len(hit)} of the {len(rows)} {split!r} articles are texts this model was trained on "
            f"({', '.join(hit[:5])}{', ...' if len(hit) > 5 else ''}), so its score on them would flatter it (a corpus "
            f"rebuilt, grown or split again since the model was trained, or a refitted model). Evaluate a model trained "
            f"without them, or leave them out: `newstag evaluate --exclude-seen` (exclude_seen=True) scores the "
            f"{len(rows) - len(hit)} it never saw.")
    return [i for i, s in zip(rows, seen) if not s], len(hit)


def _plain_baseline(corpus: Corpus, splits, tax, texts: list[str], random_state) -> dict[str, list]:
    """The plain pipeline (:mod:`classifier._baseline`) fitted on what the Tagger trains on (the manifest's
    train split, not-annotated facets left out, thresholds tuned on the manifest's folds when it has them),
    predicting ``texts``."""
    from . import _baseline
    from ._training_data import training_data

    data = training_data(corpus, splits=splits, split="train")
    seed = random_state if isinstance(random_state, int) else 0
    return _baseline.plain_predictions(tax, data.texts, data.labels, texts, random_state=seed, folds=data.folds)


def _average_precision(Y, S, present, ids) -> dict[str, float]:
    from sklearn.metrics import average_precision_score

    out = {ids[k]: float(average_precision_score(Y[:, k], S[:, k])) for k in present}
    if len(present):
        out["micro"] = float(average_precision_score(Y[:, present].ravel(), S[:, present].ravel()))
    return out


def _group_vote(tagger, facet, scores, keep, fallback) -> list[str] | None:
    """Region by alias rules: the group (an actor's region) with the most mentions; ``fallback`` when none."""
    aliases = tagger.alias_features(tagger.alias_facet_) if tagger.alias_facet_ else None
    if aliases is None or facet.name != tagger.group_facet or not aliases.group_names_:
        return None
    groups = [g for g in aliases.group_names_ if g in facet.ids]
    if not groups:
        return None
    cols = [aliases.group_column(g, "group_count") for g in groups]
    counts = scores.alias_features[tagger.alias_facet_][:, cols].toarray()
    out = []
    for i in keep:
        row = counts[i]
        out.append(groups[int(np.argmax(row))] if row.max() > 0 else fallback)
    return out


# --------------------------------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------------------------------

def _plots(report: Report, directory: Path) -> dict[str, list[Path]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: dict[str, list[Path]] = {}
    for name, fr in report.facets.items():
        paths = []
        model = fr.systems.get("model")
        if model is not None and model.per_label:
            labs = sorted(model.per_label, key=lambda k: (-model.per_label[k]["support"], k))[:40]
            fig, ax = plt.subplots(figsize=(7, 0.28 * len(labs) + 1.5))
            yk = np.arange(len(labs))
            ax.barh(yk, [model.per_label[k]["f1"] for k in labs], color="#3b6ea5", label="model")
            rule = fr.systems.get("alias_rules")
            if rule is not None:
                ax.scatter([rule.per_label.get(k, {}).get("f1", 0.0) for k in labs], yk, marker="|", s=120,
                           color="#c44e52", label="alias rules only", zorder=3)
            ax.set_yticks(yk, [f"{k} ({int(model.per_label[k]['support'])})" for k in labs], fontsize=8)
            ax.invert_yaxis()
            ax.set_xlim(0, 1)
            ax.set_xlabel("F1 (label, support)")
            ax.set_title(f"{name}: per-label F1 on {report.split}")
            ax.legend(loc="lower right", fontsize=8)
            paths.append(_save(fig, directory / f"f1_{name}.png"))
        if fr.confusion is not None and fr.confusion["labels"]:
            labs, cm = fr.confusion["labels"], np.asarray(fr.confusion["matrix"])
            fig, ax = plt.subplots(figsize=(1.0 + 0.7 * len(labs), 1.0 + 0.6 * len(labs)))
            ax.imshow(cm, cmap="Blues")
            for (i, j), v in np.ndenumerate(cm):
                ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                        color="white" if v > cm.max() / 2 else "black")
            ax.set_xticks(range(len(labs)), labs, rotation=45, ha="right", fontsize=8)
            ax.set_yticks(range(len(labs)), labs, fontsize=8)
            ax.set_xlabel("model")
            ax.set_ylabel("truth")
            ax.set_title(f"{name}: confusion matrix ({report.split})")
            paths.append(_save(fig, directory / f"confusion_{name}.png"))
        if fr._curves is not None and len(fr._curves[0]):
            from sklearn.metrics import precision_recall_curve

            labs, Y, S = fr._curves
            fig, ax = plt.subplots(figsize=(6, 5))
            p, r, _ = precision_recall_curve(Y.ravel(), S.ravel())
            ax.plot(r, p, color="black", lw=2, label=f"micro-average (AP {fr.average_precision.get('micro', 0):.2f})")
            order = np.argsort(-Y.sum(axis=0), kind="stable")[:8]
            for k in order:
                if Y[:, k].sum() == 0:
                    continue
                p, r, _ = precision_recall_curve(Y[:, k], S[:, k])
                ax.plot(r, p, lw=1, label=f"{labs[k]} (AP {fr.average_precision.get(labs[k], 0):.2f})")
            ax.set_xlabel("recall")
            ax.set_ylabel("precision")
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1.05)
            ax.set_title(f"{name}: precision-recall ({report.split})")
            ax.legend(fontsize=7, loc="lower left")
            paths.append(_save(fig, directory / f"pr_{name}.png"))
        if paths:
            out[name] = paths
    calibration = {k: fr.calibration for k, fr in report.facets.items() if fr.calibration}
    if calibration:  # one figure, a panel per facet; "" is the report's own entry (not a facet's)
        out[""] = [plot_reliability(calibration, directory / "reliability.png",
                                    title=f"Reliability on split {report.split}")]
    return out


def _save(fig, path: Path) -> Path:
    return atomic_savefig(fig, path, dpi=110)
