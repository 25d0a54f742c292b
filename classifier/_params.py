"""Checks of a Tagger's parameters, run by ``fit`` (scikit-learn estimators check in fit, not in __init__)."""

from __future__ import annotations

__all__ = ["check_tagger_params"]

import numbers

from corpus import InputError


def check_tagger_params(tagger) -> None:
    """Raise :class:`corpus.InputError` naming the first Tagger parameter that cannot be used."""
    if isinstance(tagger.random_state, bool) or not isinstance(tagger.random_state, numbers.Integral):
        raise InputError(f"random_state must be an integer seed, got {tagger.random_state!r}.")
    for name in ("min_positives", "rule_below"):
        v = getattr(tagger, name)
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < (1 if name == "min_positives" else 0):
            raise InputError(f"{name} must be a non-negative integer (min_positives >= 1), got {v!r}.")
    if not isinstance(tagger.C, numbers.Real) or tagger.C <= 0:
        raise InputError(f"C must be a positive number, got {tagger.C!r}.")
    n_jobs = tagger.n_jobs
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0):
        raise InputError(f"n_jobs must be a non-zero integer (-1: every CPU) or None (1), got {n_jobs!r}.")
