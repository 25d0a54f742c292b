"""``newstag corpus split``: the library function it runs (:func:`split_corpus`: options from text, an existing
manifest extended) and the table it prints (:func:`split_table`)."""

from __future__ import annotations

__all__ = ["split_corpus", "split_table", "time_split_corpus", "parse_where"]

import numbers
from pathlib import Path
from typing import Mapping, Sequence

from .errors import InputError
from .split_manifest import DEFAULT_RATIOS, SPLITS_FILE, SplitManifest, load_splits
from .splits import _check_ratios, make_splits


def split_corpus(corpus_dir: str | Path, *, ratios: str | Mapping[str, float] | Sequence[float] | None = None,
                 test: float | None = None, seed: int | None = None, folds: int | None = None,
                 group_columns: Sequence[str] | None = None, reshuffle: bool = False) -> tuple[SplitManifest, Path]:
    """Split a corpus folder and save ``corpus_dir/splits.json`` (what ``newstag corpus split`` runs).

    An existing ``splits.json`` is extended (old articles keep their sides) unless ``reshuffle``;
    options left as None take its values (ratios, seed, folds, group columns), else the defaults
    (0.8/0.2, seed 0, no folds, near-duplicate groups only).

    Parameters
    ----------
    ratios : "0.8,0.2" or "0.7,0.15,0.15", a mapping or a sequence
    test : share held out for a test split; train and eval share the rest in the ``ratios`` proportions
        (``ratios=0.8,0.2, test=0.1`` gives 0.72 / 0.18 / 0.1).

    Returns
    -------
    (manifest, path of splits.json)
    """
    from .store import load

    corpus_dir = Path(corpus_dir)
    corpus = load(corpus_dir)
    previous = None
    if (corpus_dir / SPLITS_FILE).is_file():
        previous = load_splits(corpus_dir)
    base = previous if previous is not None and not reshuffle else None
    if base is not None and not {"train", "eval"} <= set(base.ratios):
        raise InputError(
            f"{corpus_dir / SPLITS_FILE} holds a {base.method!r} split into {base.split_names}; `newstag corpus split` "
            f"makes train/eval(/test) splits and cannot extend it. Pass --reshuffle to replace it."
        )
    if isinstance(ratios, str):
        ratios = _parse_ratios(ratios)
    if ratios is None:
        if base is not None:
            ratios = dict(base.ratios)
            if test is not None:
                raise InputError(
                    "--test changes the ratios of the existing split; give --ratios too and --reshuffle to redo it."
                )
        else:
            ratios = dict(DEFAULT_RATIOS)
    if test is not None and test != 0:
        ratios = _with_test(ratios, test)
    if seed is None:
        seed = base.seed if base is not None and isinstance(base.seed, int) else 0
    if folds is None and base is not None and base.folds:
        folds = len(base.folds)
    if not group_columns and base is not None:
        group_columns = base.group_columns
    manifest = make_splits(corpus, ratios, seed, group_columns=tuple(group_columns or ()), folds=folds,
                           previous=previous, reshuffle=reshuffle)
    return manifest, manifest.save(corpus_dir)


def parse_where(items: Sequence[str] | None) -> dict[str, str]:
    """``["meta.selection=random", ...]`` (the ``--eval-where`` options) as ``{column: value}``.

    Raises
    ------
    InputError
        When an item is not ``COLUMN=VALUE``.
    """
    out: dict[str, str] = {}
    for item in items or ():
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise InputError(f"--eval-where {item!r}: expected COLUMN=VALUE, e.g. meta.selection=random.")
        out[column.strip()] = value.strip()
    return out


def time_split_corpus(corpus_dir: str | Path, cutoff: str, *, until: str | None = None,
                      eval_where: Mapping[str, str] | None = None,
                      group_column: str | None = None, undated: str = "error", folds: int | None = None,
                      seed: int | None = None) -> tuple[SplitManifest, Path]:
    """Time-split a corpus folder (:func:`corpus.time_split`) and save ``corpus_dir/splits.json``."""
    from .store import load
    from .time_split import time_split

    manifest = time_split(load(corpus_dir), cutoff, until=until, eval_where=eval_where, group_column=group_column,
                          undated=undated, folds=folds, seed=0 if seed is None else seed)
    return manifest, manifest.save(corpus_dir)


def _parse_ratios(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise InputError(
            f"--ratios {text!r}: expected comma-separated numbers such as 0.8,0.2 or 0.7,0.15,0.15."
        ) from None


def _with_test(ratios: Mapping[str, float] | Sequence[float], test: float) -> dict[str, float]:
    if isinstance(test, bool) or not isinstance(test, numbers.Real) or not 0 < test < 1:
        raise InputError(f"--test must be a share between 0 and 1 (0 for no test split), got {test!r}.")
    base = _check_ratios(ratios)
    if "test" in base:
        raise InputError(f"ratios {base} already have a test share; drop --test or give two ratios (train, eval).")
    return {n: round(v * (1 - test), 12) for n, v in base.items()} | {"test": float(test)}


def split_table(manifest: SplitManifest, rarest: int = 10):
    """A rich table: articles per split (and fold), then the counts of the ``rarest`` labels."""
    from rich.table import Table

    props = manifest.label_report.get("proportions") or {}
    fprops = (manifest.label_report.get("folds") or {}).get("proportions") or {}
    labels = sorted((v["total"], f, lab) for f, labs in props.items() for lab, v in labs.items())[:rarest]
    names = manifest.split_names
    folds = manifest.folds or []
    table = Table(title=f"{manifest.method} split, seed {manifest.seed}")
    table.add_column("")
    table.add_column("total", justify="right")
    for name in names:
        table.add_column(f"{name} {manifest.ratios.get(name, 0):.3g}", justify="right")
    for k in range(len(folds)):
        table.add_column(f"fold {k}", justify="right", style="dim")
    table.add_row("articles", str(sum(len(v) for v in manifest.ids.values())),
                  *(str(len(manifest.ids[n])) for n in names), *(str(len(f)) for f in folds), end_section=True)
    for total, f, lab in labels:
        per_fold = fprops.get(f, {}).get(lab, [0] * len(folds))
        table.add_row(f"{f}:{lab}", str(total), *(str(props[f][lab].get(n, 0)) for n in names),
                      *(str(c) for c in per_fold))
    return table
