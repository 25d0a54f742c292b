"""The split manifest (``DIR/splits.json``): which articles are in which split (and fold), how the split was
made, and how well it kept every label's proportions; reading and writing it, and using a split
(:func:`split_datasets`, :func:`split_rows`). Making one is :mod:`corpus.splits`."""

from __future__ import annotations

__all__ = ["SplitManifest", "load_splits", "split_datasets", "split_rows", "SPLITS_FILE", "SPLITS_FORMAT",
           "SPLIT_NAMES", "METHOD", "DEFAULT_RATIOS", "NEAR_DUPLICATE_COLUMN"]

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from .atomic import atomic_write_json
from .errors import CorpusError, InputError
from .store import Corpus

SPLITS_FILE = "splits.json"
SPLITS_FORMAT = "newstag-splits/1"
METHOD = "iterative-stratification"
SPLIT_NAMES = ("train", "eval", "test")
DEFAULT_RATIOS = {"train": 0.8, "eval": 0.2}
NEAR_DUPLICATE_COLUMN = "group_id"



def _column(ds, name: str) -> list:
    """A dataset column as a Python list (``ds[name]`` is a lazy column in datasets 4+; indexing it is slow)."""
    return ds.select_columns([name]).to_dict()[name]


@dataclass
class SplitManifest:
    """Which article is in which split, and how that was decided.

    Attributes
    ----------
    method : str
        ``"iterative-stratification"`` for :func:`make_splits`; other code (a Reuters ModApte split, a
        time-based split) builds a manifest directly under its own method name.
    seed : int or None
        The seed of a random method (None for a deterministic one).
    ratios : {split: share}
        The requested shares, summing to 1.
    corpus_fingerprint : str
        ``Corpus.fingerprint`` of the corpus the split was made from.
    ids : {split: [article id, ...]}
        The article ids of each split, sorted (normalised on construction).
    group_columns : tuple of str
        The columns whose shared values kept articles on one side.
    folds : list of id lists, or None
        Cross-validation folds over the ``train`` split (each sorted).
    label_report : dict
        Label counts per split, labels with too few examples, unlabeled articles left out.
    extends : dict or None
        When the split extended a previous one: that manifest's fingerprint, method and seed, and how
        many articles were kept, added and dropped.

    Raises
    ------
    CorpusError
        When an article is in two splits, a fold holds an article outside ``train``, or folds overlap.
    """

    method: str
    seed: int | None
    ratios: Mapping[str, float]
    corpus_fingerprint: str
    ids: Mapping[str, Sequence[str]]
    group_columns: tuple[str, ...] = (NEAR_DUPLICATE_COLUMN,)
    folds: list[list[str]] | None = None
    label_report: Mapping[str, Any] = field(default_factory=dict)
    extends: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        order = sorted(self.ratios, key=lambda n: (SPLIT_NAMES.index(n) if n in SPLIT_NAMES else len(SPLIT_NAMES), n))
        self.ratios = {str(k): float(self.ratios[k]) for k in order}
        self.ids = {str(k): sorted(str(i) for i in v) for k, v in self.ids.items()}
        self.group_columns = tuple(self.group_columns)
        seen: dict[str, str] = {}
        for name, ids in self.ids.items():
            for i in ids:
                other = seen.setdefault(i, name)
                if other != name:
                    raise CorpusError(
                        f"split manifest ({self.method}): article {i!r} is in both {other!r} and {name!r}; "
                        f"an article must be in one split only."
                    )
        if self.folds is not None:
            self.folds = [sorted(str(i) for i in fold) for fold in self.folds]
            in_fold: dict[str, int] = {}
            for k, fold in enumerate(self.folds):
                for i in fold:
                    if seen.get(i) != "train":
                        raise CorpusError(
                            f"split manifest ({self.method}): fold {k} holds article {i!r}, which is not in the "
                            f"train split; folds partition the train split."
                        )
                    j = in_fold.setdefault(i, k)
                    if j != k:
                        raise CorpusError(f"split manifest ({self.method}): article {i!r} is in folds {j} and {k}.")

    @property
    def split_names(self) -> list[str]:
        """Split names in the canonical order (train, eval, test, then any other name sorted)."""
        return sorted(self.ids, key=lambda n: (SPLIT_NAMES.index(n) if n in SPLIT_NAMES else len(SPLIT_NAMES), n))

    def assignment(self) -> dict[str, str]:
        """``{article id: split name}``."""
        return {i: name for name in self.split_names for i in self.ids[name]}

    def cross_validation(self) -> list[tuple[list[str], list[str]]]:
        """``[(fit ids, validation ids), ...]``: one pair per fold (fit = the train split minus the fold).

        Raises
        ------
        CorpusError
            When the manifest has no folds.
        """
        if not self.folds:
            raise CorpusError(
                "this split manifest has no folds; make one with folds=K (`newstag corpus split DIR --folds K`)."
            )
        out = []
        for k, fold in enumerate(self.folds):
            fit = sorted(i for j, other in enumerate(self.folds) if j != k for i in other)
            out.append((fit, list(fold)))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SPLITS_FORMAT,
            "method": self.method,
            "seed": self.seed,
            "ratios": dict(self.ratios),
            "corpus_fingerprint": self.corpus_fingerprint,
            "group_columns": list(self.group_columns),
            "splits": {k: list(v) for k, v in self.ids.items()},
            "folds": None if self.folds is None else [list(f) for f in self.folds],
            "label_report": _plain(self.label_report),
            "extends": None if self.extends is None else _plain(self.extends),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<split manifest>") -> "SplitManifest":
        """Rebuild a manifest from :meth:`to_dict` output (as read from ``splits.json``).

        Raises
        ------
        CorpusError
            When the format tag is not ``newstag-splits/1`` or a required key is missing.
        """
        if not isinstance(data, Mapping):
            raise CorpusError(f"{source}: expected a JSON object, got {type(data).__name__}.")
        fmt = data.get("format")
        if fmt != SPLITS_FORMAT:
            raise CorpusError(
                f"{source}: format is {fmt!r}, expected {SPLITS_FORMAT!r}. Remake it with `newstag corpus split`."
            )
        missing = [k for k in ("method", "seed", "ratios", "corpus_fingerprint", "splits") if k not in data]
        if missing:
            raise CorpusError(f"{source}: missing key(s) {missing}; remake it with `newstag corpus split`.")
        return cls(method=data["method"], seed=data["seed"], ratios=data["ratios"],
                   corpus_fingerprint=data["corpus_fingerprint"], ids=data["splits"],
                   group_columns=tuple(data.get("group_columns") or ()), folds=data.get("folds"),
                   label_report=data.get("label_report") or {}, extends=data.get("extends"))

    def save(self, corpus_dir: str | Path) -> Path:
        """Write ``corpus_dir/splits.json`` atomically (canonical JSON), holding the corpus's writer lock
        (a corpus write switching the folder in meanwhile would leave it out); returns its path."""
        from ._lock import folder_lock

        path = Path(corpus_dir) / SPLITS_FILE
        with folder_lock(corpus_dir):
            atomic_write_json(path, self.to_dict())
        return path


def meta_value(meta: Mapping[str, Any], key: str) -> Any:
    """The value at a dotted ``key`` of an article's meta object (``story_line``, ``source.name``), or None."""
    value: Any = meta
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _plain(obj: Any) -> Any:
    """JSON-ready copy: tuples to lists, numpy scalars to Python numbers."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj


def load_splits(corpus_dir: str | Path) -> SplitManifest:
    """Read the split manifest saved beside a corpus (``corpus_dir/splits.json``, or that file's path).

    Raises
    ------
    CorpusError
        When there is no manifest (make one with ``newstag corpus split DIR``), or it is not valid.
    """
    path = Path(corpus_dir)
    if not path.is_file():
        path = path / SPLITS_FILE
    if not path.is_file():
        raise CorpusError(
            f"{Path(corpus_dir)}: no split manifest ({SPLITS_FILE}); run `newstag corpus split {Path(corpus_dir)}` "
            f"(or corpus.make_splits(...).save(DIR)) first."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CorpusError(
            f"{path}: not valid JSON (line {exc.lineno}: {exc.msg}); remake it with `newstag corpus split`."
        ) from None
    return SplitManifest.from_dict(data, str(path))



def split_datasets(corpus: Corpus, manifest: SplitManifest):
    """The splits as a ``datasets.DatasetDict`` (``train``, ``eval``[, ``test``]), rows in corpus order.

    Labeled articles the manifest does not know (added after it was made) are in no split; a
    ``UserWarning`` says how many, so they are not left out silently.

    Raises
    ------
    CorpusError
        When the manifest names articles that are not in ``corpus`` (it was made for another corpus).
    """
    import datasets

    corpus_ids = _column(corpus.dataset, "id")
    pos = {i: n for n, i in enumerate(corpus_ids)}
    missing = [i for name in manifest.split_names for i in manifest.ids[name] if i not in pos]
    if missing:
        raise CorpusError(
            f"the split manifest ({manifest.method}, corpus {manifest.corpus_fingerprint[:12]}) names {len(missing)} "
            f"article(s) that are not in this corpus ({corpus.fingerprint[:12]}), e.g. {missing[:3]}; it was made for "
            f"another corpus. Run `newstag corpus split DIR --reshuffle` (or make_splits) for this one."
        )
    assigned = {i for ids in manifest.ids.values() for i in ids}
    left_out = [i for i, ok in zip(corpus_ids, _column(corpus.dataset, "labeled")) if ok and i not in assigned]
    if left_out:
        warnings.warn(
            f"{len(left_out)} labeled article(s) are in no split (added after the split was made), e.g. "
            f"{left_out[:3]}; run `newstag corpus split DIR` to assign them (old articles keep their sides).",
            UserWarning, stacklevel=2,
        )
    out = {}
    for name in manifest.split_names:
        rows = sorted(pos[i] for i in manifest.ids[name])
        out[name] = corpus.dataset.select(rows)
    return datasets.DatasetDict(out)


def split_rows(corpus_ids: Sequence[str], splits: SplitManifest | Mapping[str, Sequence[str]], split: str, *,
               who: str = "") -> list[int]:
    """The corpus rows of one split, in corpus order.

    Parameters
    ----------
    corpus_ids : the corpus's article ids, row by row (``Corpus.ids``)
    splits : SplitManifest or ``{split: [ids]}``
    split : the split's name
    who : what asks (e.g. ``"evaluate"``), put before the error messages

    Raises
    ------
    InputError
        When ``splits`` has no such split, or the split names articles that are not in the corpus
        (the manifest was made for another corpus).
    """
    prefix = f"{who}: " if who else ""
    split_ids = splits.ids if hasattr(splits, "ids") else splits
    if split not in split_ids:
        raise InputError(
            f"{prefix}the split manifest has no {split!r} split (it has {sorted(split_ids)}); pass one of those."
        )
    wanted = set(split_ids[split])
    ids = list(corpus_ids)
    missing = wanted.difference(ids)
    if missing:
        raise InputError(
            f"{prefix}the split manifest's {split!r} split names {len(missing)} article(s) not in this corpus, e.g. "
            f"{sorted(missing)[:3]}; it was made for another corpus. Remake it: `newstag corpus split DIR --reshuffle`."
        )
    return [i for i, a in enumerate(ids) if a in wanted]
