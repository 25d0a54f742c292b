"""The split a model is refitted on once its evaluation is done: every labeled article, with folds cut alike."""

from __future__ import annotations

__all__ = ["refit_split"]

from typing import Any

from ._labeled import labeled_articles
from .errors import CorpusError
from .split_manifest import NEAR_DUPLICATE_COLUMN, SplitManifest
from .splits import train_folds
from .store import Corpus


def refit_split(corpus: Corpus, manifest: SplitManifest) -> SplitManifest:
    """The split to refit a model on once ``manifest``'s split has measured it: every labeled article of ``corpus``
    in one ``train`` split — the evaluated ones, and those a time split held out (after ``until``, not matching
    ``eval_where``) or left out of training (sharing a story with an evaluated one) — so the model that tags new
    articles has learned from the latest labeled news. The labeled articles without a full date that a time
    split dropped (``undated="drop"``) stay out. When ``manifest`` has folds, as many are cut over the new train
    split with its seed and group columns (:func:`train_folds`), so thresholds are tuned the same way.

    The result's ``label_report`` records the split it replaces (``refit_of``: method, seed, sizes), the date
    range trained on and what was left out. Same corpus and manifest, same result.
    """
    report = dict(manifest.label_report or {})
    drop_undated = manifest.method == "time" and (report.get("undated") or {}).get("placed") == "drop"
    data = labeled_articles(corpus)
    years, months, days = corpus.column("year"), corpus.column("month"), corpus.column("day")
    dated = {a: (y, m, d) for a, y, m, d in zip(corpus.ids, years, months, days) if y and m and d}
    keep = [a for a in data.ids if a in dated or not drop_undated]
    left = [a for a in data.ids if drop_undated and a not in dated]
    if not keep:
        raise CorpusError("refit: the corpus has no labeled article to refit on; import annotations first.")
    spans = sorted(dated[a] for a in keep if a in dated)
    new_report: dict[str, Any] = {
        "refit_of": {"method": manifest.method, "seed": manifest.seed,
                     "corpus_fingerprint": manifest.corpus_fingerprint,
                     "counts": {k: len(v) for k, v in manifest.ids.items()}},
        "labeled": len(data.ids), "unlabeled": data.unlabeled,
        "left_out": {"undated": len(left), "ids": left[:20]},
    }
    if spans:
        new_report["dates"] = {"train": ["%04d-%02d-%02d" % spans[0], "%04d-%02d-%02d" % spans[-1]]}
    fold_ids = None
    if manifest.folds:
        seed = manifest.seed if manifest.seed is not None else 0
        columns = [c for c in manifest.group_columns if c != NEAR_DUPLICATE_COLUMN]
        fold_ids = train_folds(corpus, keep, len(manifest.folds), seed, columns)
        new_report["folds"] = {"k": len(fold_ids), "seed": seed, "sizes": [len(f) for f in fold_ids]}
    return SplitManifest(method="refit", seed=manifest.seed, ratios={"train": 1.0},
                         corpus_fingerprint=corpus.fingerprint, ids={"train": keep},
                         group_columns=manifest.group_columns, folds=fold_ids, label_report=new_report)
