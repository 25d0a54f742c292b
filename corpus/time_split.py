"""Time splits: train on what came before a day, evaluate on what came after — the way a tagger is used.

A random split of news flatters a model: the same story's items sit on both sides. A time split trains on
the articles dated before ``cutoff`` and evaluates on those dated from it (up to ``until``), optionally
only on those that match ``eval_where`` (e.g. the items drawn at random for annotation, not those active
learning chose, so the evaluation is unbiased). Stories are kept whole: near-duplicates go to the side of
their earliest article, and with ``group_column`` (e.g. ``meta.story_line``) a training article that
shares its group with an evaluated one is left out of training, never evaluated twice over.
"""

from __future__ import annotations

__all__ = ["time_split", "parse_day"]

import json
from datetime import date
from typing import Any, Mapping

from .errors import CorpusError, InputError
from .split_manifest import NEAR_DUPLICATE_COLUMN, SplitManifest, meta_value
from .splits import train_folds
from .store import Corpus


def parse_day(day: str | date, what: str = "cutoff") -> date:
    """``YYYY-MM-DD`` (or ``YYYY-MM``: the month's first day) as a date.

    Raises
    ------
    InputError
        When the text is not such a date.
    """
    if isinstance(day, date):
        return day
    text = str(day).strip()
    try:
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 2:
            parts.append(1)
        return date(*parts)
    except (TypeError, ValueError):
        raise InputError(f"{what} {day!r} is not a date; expected YYYY-MM-DD or YYYY-MM (e.g. 2026-01-01).") from None


def _group_key(value: Any) -> str | None:
    """A group column's value as one key: a list (a story line's path) is one key, not one per element."""
    if value in (None, "", [], ()):
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, (list, dict)) else str(value)


def _column_values(corpus: Corpus, column: str) -> list[Any]:
    ds = corpus.dataset
    if column in ds.column_names:
        return corpus.column(column)
    if column.startswith("meta.") and "meta" in ds.column_names:
        key = column[len("meta."):]
        return [meta_value(json.loads(m) if m else {}, key) for m in corpus.column("meta")]
    raise InputError(f"column {column!r} is not a corpus column; use one of {sorted(ds.column_names)} or "
                     f"'meta.KEY' for a key of the meta JSON (e.g. 'meta.story_line').")


def _where(corpus: Corpus, eval_where: Mapping[str, Any] | None) -> list[bool]:
    n = len(corpus)
    ok = [True] * n
    for column, wanted in (eval_where or {}).items():
        values = _column_values(corpus, column)
        ok = [o and (v == wanted or str(v) == str(wanted)) for o, v in zip(ok, values)]
    return ok


UNDATED = ("error", "train", "drop")


def time_split(corpus: Corpus, cutoff: str | date = "2026-01-01", *, until: str | date | None = None,
               eval_where: Mapping[str, Any] | None = None, group_column: str | None = None,
               undated: str = "error", folds: int | None = None, seed: int = 0) -> SplitManifest:
    """Train on the labeled articles dated before ``cutoff``, evaluate on those dated from it.

    Parameters
    ----------
    cutoff : the first day of the evaluation period (``YYYY-MM-DD`` or ``YYYY-MM``)
    until : the last day evaluated (default: no end)
    eval_where : ``{column: value}`` an evaluated article must match (``{"meta.selection": "random"}``);
        labeled articles of the evaluation period that do not are in no split (``held_out``)
    group_column : a column (or ``meta.KEY``) whose value is a story: a training article whose value an
        evaluated article shares is left out of training (``dropped_from_train``). A list value (a story
        line's path) is one value.
    undated : what becomes of a labeled article without a full date: ``"error"`` (the default: a time
        split cannot place it), ``"train"`` (trained on, never evaluated) or ``"drop"`` (in no split);
        either way they are counted in ``label_report["undated"]``.
    folds : cut the training side into this many cross-validation folds (:func:`corpus.splits.train_folds`:
        stratified, near-duplicates and ``group_column``'s stories whole — one key per list element, so every
        item of an outermost story line lands in one fold), seeded by ``seed``. A Tagger tunes its thresholds on
        them: on folds that never split a story, the out-of-fold scores are those of a story the model has not
        seen, as the evaluation period's new stories are.
    seed : the seed of the folds (the split itself has no randomness)

    Returns
    -------
    SplitManifest
        method ``"time"``, seed None (``seed`` with folds), ``ratios`` the actual shares, ``label_report`` with the cutoff, the
        filters, the date range of each split, ``moved_to_train`` (near-duplicates moved with their group),
        ``held_out``, ``dropped_from_train`` and ``proportions`` per facet and label.

    Raises
    ------
    InputError
        When a date is not a date or a column is not a corpus column.
    CorpusError
        When a labeled article has no full date (year, month, day) and ``undated`` is ``"error"``, or a side
        of the split is empty.
    """
    if undated not in UNDATED:
        raise InputError(f"undated={undated!r}: expected one of {list(UNDATED)}.")
    cut = parse_day(cutoff)
    end = parse_day(until, "until") if until is not None else None
    ids, labeled, groups = corpus.ids, corpus.column("labeled"), corpus.column(NEAR_DUPLICATE_COLUMN)
    days: list[date | None] = []
    undated_ids = []
    for aid, y, m, d, ok in zip(ids, corpus.column("year"), corpus.column("month"), corpus.column("day"), labeled):
        if not ok:
            days.append(None)
        elif not (y and m and d):
            undated_ids.append(aid)
            days.append(None)
        else:
            days.append(date(y, m, d))
    if undated_ids and undated == "error":
        raise CorpusError(f"time split: {len(undated_ids)} labeled article(s) have no full date (year, month, day), "
                          f"e.g. {undated_ids[:5]}; a time split cannot place them. Fix their dates, train on them "
                          f"(--undated train), leave them out (--undated drop), or use make_splits.")
    first: dict[str, date] = {}
    for g, day in zip(groups, days):
        if day is not None and (g not in first or day < first[g]):
            first[g] = day
    evaluable = _where(corpus, eval_where)
    side_of: list[str | None] = []
    moved = held_out = 0
    for g, day, ok in zip(groups, days, evaluable):
        if day is None:
            side_of.append(None)
        elif first[g] < cut:
            moved += day >= cut
            side_of.append("train")
        elif (end is None or day <= end) and ok:
            side_of.append("eval")
        else:
            held_out += 1
            side_of.append(None)
    dropped = 0
    if group_column:
        keys = [_group_key(v) for v in _column_values(corpus, group_column)]
        in_eval = {k for k, s in zip(keys, side_of) if s == "eval" and k is not None}
        for i, (k, s) in enumerate(zip(keys, side_of)):
            if s == "train" and k in in_eval:
                side_of[i] = None
                dropped += 1
    if undated == "train":
        undated_set = set(undated_ids)
        side_of = ["train" if aid in undated_set else s for aid, s in zip(ids, side_of)]
    split: dict[str, list[str]] = {"train": [], "eval": []}
    for aid, s in zip(ids, side_of):
        if s is not None:
            split[s].append(aid)
    n = len(split["train"]) + len(split["eval"])
    for name, members in split.items():
        if not members:
            raise CorpusError(f"time split at {cut}: the {name} split is empty ({n} dated articles placed); choose a "
                              f"cutoff inside the corpus's date range, or loosen --eval-where.")
    span = {name: [min(d for d, s in zip(days, side_of) if s == name and d is not None).isoformat(),
                   max(d for d, s in zip(days, side_of) if s == name and d is not None).isoformat()] for name in split}
    props: dict[str, dict[str, dict[str, int]]] = {}
    for f in corpus.taxonomy.facets:
        counts: dict[str, dict[str, int]] = {}
        for value, side in zip(corpus.labels(f.name), side_of):
            if side is None:
                continue
            for lab in (value if f.multi else ([value] if value is not None else [])):
                c = counts.setdefault(lab, {"total": 0, "train": 0, "eval": 0})
                c["total"] += 1
                c[side] += 1
        props[f.name] = {lab: counts[lab] for lab in f.ids if lab in counts}
    report = {
        "cutoff": cut.isoformat(), "until": end.isoformat() if end else None,
        "eval_where": dict(eval_where or {}), "group_column": group_column,
        "labeled": sum(1 for x in labeled if x), "unlabeled": len(ids) - sum(1 for x in labeled if x),
        "dates": span, "moved_to_train": moved, "held_out": held_out, "dropped_from_train": dropped,
        "undated": {"articles": len(undated_ids), "placed": undated, "ids": undated_ids[:20]},
        "proportions": props,
    }
    columns = (NEAR_DUPLICATE_COLUMN,) + ((group_column,) if group_column else ())
    fold_ids = None
    if folds is not None:
        fold_ids = train_folds(corpus, split["train"], folds, seed, columns[1:])
        report["folds"] = {"k": len(fold_ids), "seed": seed, "sizes": [len(f) for f in fold_ids]}
    return SplitManifest(
        method="time", seed=seed if folds is not None else None,
        ratios={k: round(len(v) / n, 6) for k, v in split.items()},
        corpus_fingerprint=corpus.fingerprint, ids=split, group_columns=columns, folds=fold_ids,
        label_report=report,
    )
