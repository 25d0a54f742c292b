"""Training from a corpus folder: what ``newstag train`` and ``python -m classifier.train`` run."""

from __future__ import annotations

__all__ = ["train_model", "TrainResult"]

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from corpus import CorpusError, load, load_splits, refit_split
from corpus.models import model_output_path

from ._evaluate import Report, evaluate
from ._card import training_data_summary
from ._persist import save_model
from ._tagger import Tagger


@dataclass
class TrainResult:
    tagger: Tagger
    path: Path
    report: Report | None
    warnings: list[str]


def train_model(corpus_dir: str | Path, output: str | Path | None = None, *, seed: int = 0, split: str = "train",
                eval_split: str | None = "eval", progress: Callable[[str, str], None] | None = None,
                refit: bool = False, **params: Any) -> TrainResult:
    """Fit a Tagger on the ``split`` articles of a corpus folder, evaluate it on ``eval_split`` (when the
    split manifest has one) and save the model folder with its card.

    With ``refit``, once evaluated the same recipe is fitted again on every labeled article
    (:func:`corpus.refit_split`: the evaluated ones, those the split held out or left out of training) and that
    model is saved, the evaluation in its card as the estimate of its quality: the model to tag new articles with,
    which has seen the latest labeled news. (Evaluating it on the same corpus is refused: it has seen those articles.)

    Parameters
    ----------
    corpus_dir : a corpus folder with its split manifest (``splits.json``)
    output : the model folder (default: ``$NEWSTAG_MODEL``, else ``./models/default``)
    seed : seeds every random step of training
    params : further :class:`Tagger` parameters (``C``, ``char_ngram_range``, …)

    Raises
    ------
    CorpusError
        When the corpus or its split manifest is missing (make one with ``newstag corpus split DIR``).
    """
    corpus_dir = Path(corpus_dir)
    corpus = load(corpus_dir)
    if not (corpus_dir / "splits.json").is_file():
        raise CorpusError(
            f"{corpus_dir}: no split manifest (splits.json); run `newstag corpus split {corpus_dir}` first, "
            f"so the model is trained on the train split and evaluated on articles it has not seen."
        )
    manifest = load_splits(corpus_dir)
    notes = []
    if manifest.corpus_fingerprint != corpus.fingerprint:
        notes.append(
            f"the split manifest was made for corpus {manifest.corpus_fingerprint[:12]}, this corpus is "
            f"{corpus.fingerprint[:12]} (articles or labels changed since); run `newstag corpus split {corpus_dir}` "
            f"to assign new articles (old ones keep their sides)."
        )
    tagger = Tagger(random_state=seed, **params)
    tagger.fit(corpus, splits=manifest, split=split, progress=progress)
    report = None
    if eval_split and eval_split in manifest.ids and manifest.ids[eval_split]:
        if progress:
            progress("evaluate", eval_split)
        report = evaluate(tagger, corpus, eval_split, manifest)
    data = training_data_summary(corpus, manifest, split)
    if refit:
        if progress:
            progress("refit", "every labeled article")
        estimated_by, manifest = data, refit_split(corpus, manifest)
        tagger = Tagger(random_state=seed, **params).fit(corpus, splits=manifest, split="train", progress=progress)
        data = {**training_data_summary(corpus, manifest, "train"), "estimated_by": estimated_by}
    path = Path(output) if output is not None else model_output_path()
    if progress:
        progress("save", str(path))
    save_model(tagger, path, metrics=report.summary() if report is not None else None, data=data)
    return TrainResult(tagger, path, report, notes)
