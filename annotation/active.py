"""Active learning: choose the next articles to annotate, and record why each one was chosen.

:func:`select_batch` builds a :class:`Batch` of ``n`` unannotated articles in three parts, in this order:

1. **random** — ``round(n * random_share)`` articles drawn uniformly (seeded ``numpy`` Generator),
   stratified by month (largest-remainder quotas; undated articles are a stratum of their own). They
   are drawn first, from all candidates, so the model cannot bias them: they are the unbiased sample
   for evaluation. The only rule they obey is one article per near-duplicate group.
2. **rare_label** — up to ``rare_share`` of the rest goes to labels with fewer than ``rare_below``
   annotated positives so far: round-robin over those labels, facets taking turns (within a facet,
   fewest positives first, then the labels the model gives to fewer candidates), each label taking its
   candidate with the highest model score among those the model gives the label to. A label the
   model gives to no candidate falls back on the taxonomy's cue phrases (the label's aliases,
   :class:`corpus.AliasMatcher`): candidates that mention it, most mentions first.
3. **uncertainty** — the rest, by the model's uncertainty. Per facet, a margin in [0, 1] (small =
   uncertain): single-label facet, best score minus second best; multi-label facet, each label's
   distance to its threshold normalised by the room on that side (``(s-t)/(1-t)`` or ``(t-s)/t``), the
   facet's margin being its smallest (:func:`annotation.predictions.facet_margins`). Facets are
   combined by **rank**, not by raw margin: an article's priority is its best rank in any facet (ties:
   smaller margin, then a seeded random draw). A facet with many labels (actors) has small margins
   everywhere and would take the whole batch under the raw minimum; by rank each facet gets its most
   uncertain article in turn. Within a facet, equal margins (a rule-scored label sits exactly on its
   threshold) are ranked by the mean margin over all facets, then by the random draw, never by id.

Diversity, for parts 2 and 3 (greedy, in rank order, skipping what breaks a cap; the random part
counts towards the caps): never two articles of one near-duplicate group (``group_id``); at most
``per_story`` articles of one story line (``meta.story_line[0]``, the outermost story of a
Wikipedia Current events item, else the group); at most ``per_source`` of one source (the first of
``meta.outlets``, else the ``source`` column). When the source cap leaves the batch short (a corpus of
one source), a second pass of that part lifts it and marks those picks ``"source_cap_lifted": true``.

The same corpus, model, parameters and seed give the same batch, byte for byte (:meth:`Batch.save`).
"""

from __future__ import annotations

__all__ = ["Batch", "select_batch", "BATCH_FORMAT"]

import datetime as dt
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from corpus import Corpus, atomic_write_json

from ._pool import Caps, Pool, candidate_pool, draw_random, _unannotated
from .errors import SelectionError
from .predictions import default_controls, facet_margins, ls_prediction
from .predictor import FacetScores, Predictor

BATCH_FORMAT = "newstag-active-batch/1"
STRATEGIES = ("random", "rare_label", "uncertainty")
_CHUNK = 2000  # texts scored at a time
_DIGITS = 6


@dataclass(frozen=True)
class Batch:
    """The articles chosen for annotation, in order, with why each was chosen.

    Attributes
    ----------
    ids : the article ids, random part first, then rare labels, then uncertainty
    why : per id, ``{"strategy": "random" | "rare_label" | "uncertainty", ...}``: the month stratum
        (random); the facet, label, score, positives so far and whether the model or cue phrases found
        it (rare_label); the facet, label, margin, score, rank and every facet's margin (uncertainty)
    model_version, seed, corpus_fingerprint, params : what made the batch
    counts : articles, annotated, left out by the date window / exclusions, candidates, per strategy
    notes : what did not go as asked (a short batch, a lifted source cap)
    predictions : per id, the model's Label Studio prediction (:func:`annotation.predictions.ls_prediction`);
        pushed with the tasks, not written to the batch file
    """

    ids: tuple[str, ...]
    why: Mapping[str, Mapping[str, Any]]
    model_version: str
    seed: int
    corpus_fingerprint: str
    params: Mapping[str, Any]
    counts: Mapping[str, int]
    notes: tuple[str, ...] = ()
    predictions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.ids)

    def strategies(self) -> dict[str, int]:
        """How many articles each strategy chose."""
        c = Counter(w["strategy"] for w in self.why.values())
        return {k: c.get(k, 0) for k in STRATEGIES}

    def as_dict(self) -> dict[str, Any]:
        return {"format": BATCH_FORMAT, "ids": list(self.ids), "why": {a: dict(self.why[a]) for a in self.ids},
                "model_version": self.model_version, "seed": self.seed,
                "corpus_fingerprint": self.corpus_fingerprint, "params": dict(self.params),
                "counts": dict(self.counts), "notes": list(self.notes)}

    def save(self, path: str | Path) -> Path:
        """Write the batch file (canonical JSON, atomic): ids, why, model_version, seed, corpus fingerprint."""
        atomic_write_json(path, self.as_dict())
        return Path(path)


def _parse_day(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise SelectionError(f"{name} must be a date YYYY-MM-DD, got {value!r}; e.g. {name} 2026-03-01.") from None


def _parse_match(match: str | None) -> re.Pattern[str] | None:
    if match is None:
        return None
    try:
        return re.compile(match, re.IGNORECASE)
    except re.error as e:
        raise SelectionError(f"--match must be a regular expression, got {match!r}: {e}; e.g. --match "
                             f"'deterr|drills|exercises'.") from None


def _check(n: int, random_share: float, rare_share: float, rare_below: int, per_story: int,
           per_source: int | None) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise SelectionError(f"the batch size n must be a whole number of at least 1, got {n!r}; "
                             f"e.g. -n 100.")
    for name, v in (("random share (--random)", random_share), ("rare-label share (--rare-share)", rare_share)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
            raise SelectionError(f"the {name} must be a number in [0, 1], got {v!r}; e.g. 0.3 for 30%.")
    for name, v in (("rare_below (--rare-below)", rare_below), ("per_story (--per-story)", per_story),
                    ("per_source (--per-source)", per_source)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1):
            raise SelectionError(f"{name} must be a whole number of at least 1, got {v!r}.")


def _score(predictor: Predictor, texts: list[str]) -> dict[str, FacetScores]:
    parts = [predictor.predict(texts[s:s + _CHUNK]) for s in range(0, len(texts), _CHUNK)] or [predictor.predict([])]
    return {f: FacetScores(parts[0][f].labels, np.concatenate([p[f].scores for p in parts]), parts[0][f].thresholds)
            for f in parts[0]}


def _check_model(corpus: Corpus, predictor: Predictor, scores: Mapping[str, FacetScores]) -> list[str]:
    tax = corpus.taxonomy
    common = [f for f in scores if f in tax.facet_names]
    if not common:
        raise SelectionError(
            f"the model {predictor.source!r} scores facets {sorted(scores)}, none of which is in the corpus's "
            f"taxonomy ({tax.facet_names}); use a model trained with this corpus's taxonomy.")
    for f in common:
        extra = sorted(set(scores[f].labels) - set(tax.facet(f).ids))
        if extra:
            raise SelectionError(
                f"the model {predictor.source!r} gives {f} labels {extra[:8]} that the corpus's taxonomy "
                f"{tax.name!r} does not have; use a model trained with this corpus's taxonomy.")
    return common


def _r(x: float) -> float:
    return round(float(x), _DIGITS)


def _positives(corpora: Sequence[Corpus], facet: str) -> Counter[str]:
    """Annotated positives of each label of ``facet``, summed over the corpora that have the facet."""
    c: Counter[str] = Counter()
    for corpus in corpora:
        if facet not in corpus.taxonomy.facet_names:
            continue
        multi = corpus.taxonomy.facet(facet).multi
        for open_, v in zip(_unannotated(corpus), corpus.labels(facet)):
            if not open_ and v:
                c.update(v if multi else [v])
    return c


def _rare_queues(corpora: Sequence[Corpus], pool: Pool, scores: Mapping[str, FacetScores],
                 facets: Sequence[str], rare_below: int, cues: bool) -> list[tuple[dict[str, Any], list]]:
    """The rare labels' queues in round-robin order: each with its WHY base and its candidates, best first.

    Facets take turns (a facet with hundreds of rare labels, actors, does not crowd out themes); within a
    facet, labels with fewer positives come first, then those the model gives to fewer candidates: a
    label common in the pool gets positives from the random and uncertainty parts anyway.
    """
    from corpus import AliasMatcher

    per_facet = []
    for f in facets:
        fs, pos = scores[f], _positives(corpora, f)
        given = fs.chosen()
        labels = sorted((pos[lab], int(given[:, j].sum()), j) for j, lab in enumerate(fs.labels)
                        if pos[lab] < rare_below)
        queues, mentions = [], None
        for positives, _, j in labels:
            s, rows = fs.scores[:, j], np.flatnonzero(given[:, j])
            base = {"strategy": "rare_label", "facet": f, "label": fs.labels[j], "positives": positives}
            if len(rows):
                extra = {"via": "model", **({"threshold": _r(fs.thresholds[j])} if fs.multi else {})}
                queue = [(int(i), {**extra, "score": _r(s[i])}) for i in rows[np.lexsort((rows, -s[rows]))]]
            elif cues:
                if mentions is None:
                    matcher = AliasMatcher(corpora[0].taxonomy.facet(f))
                    mentions = [Counter(m.label for m in matcher.find(t)) for t in pool.texts]
                hits = np.array([i for i, c in enumerate(mentions) if c[fs.labels[j]]], dtype=int)
                n_hits = np.array([mentions[i][fs.labels[j]] for i in hits], dtype=int)
                queue = [(int(i), {"via": "cues", "mentions": int(mentions[i][fs.labels[j]]), "score": _r(s[i])})
                         for i in hits[np.lexsort((hits, -s[hits], -n_hits))]]
            else:
                queue = []
            if queue:
                queues.append((base, queue))
            # beyond what the model gives and the cues find, the model's best-scored candidates are still the
            # likeliest positives: a second queue, sought once the first ones run dry
            listed = {i for i, _ in queue}
            top = np.array([i for i in np.flatnonzero(s > 0) if i not in listed], dtype=int)
            if len(top):
                queues.append(({**base, "fallback": True},
                               [(int(i), {"via": "model_top", "score": _r(s[i])}) for i in top[np.lexsort((top, -s[top]))]]))
        per_facet.append(queues)
    tiers = [[[q for q in queues if bool(q[0].get("fallback")) == fb] for queues in per_facet] for fb in (False, True)]
    return [q for tier in tiers for turn in itertools.zip_longest(*tier) for q in turn if q is not None]


def _pick_rare(queues, k: int, caps: Caps, taken: set[int], lift: bool) -> list[tuple[int, dict[str, Any]]]:
    """Round-robin over the rare labels' queues: each label in turn takes its best candidate that fits."""
    chosen: list[tuple[int, dict[str, Any]]] = []
    pos = [0] * len(queues)
    primary = [q for q in range(len(queues)) if not queues[q][0].get("fallback")]
    active = primary or list(range(len(queues)))
    while len(chosen) < k and active:
        for q in list(active):
            if len(chosen) >= k:
                break
            base, queue = queues[q]
            while pos[q] < len(queue):
                i, extra = queue[pos[q]]
                pos[q] += 1
                if i not in taken and caps.fits(i, lift_source=lift):
                    caps.add(i)
                    taken.add(i)
                    chosen.append((i, {**base, **extra}))
                    break
            else:
                active.remove(q)
        if not active and len(primary) < len(queues) and len(chosen) < k and primary:
            active, primary = [q for q in range(len(queues)) if queues[q][0].get("fallback")], []
    return chosen


def _uncertainty_order(scores: Mapping[str, FacetScores], facets: Sequence[str], n: int, rng: np.random.Generator):
    """Candidates by priority: best rank in any facet, then smaller margin, then a seeded random draw.

    Within a facet, equal margins (rule-based labels score exactly their threshold) are ranked by the
    mean margin over all facets, then by the random draw: never by corpus (id) order.
    """
    margins = {f: facet_margins(scores[f]) for f in facets}
    idx, tie = np.arange(n), rng.permutation(n)
    mean = np.mean([margins[f][0] for f in facets], axis=0) if n else np.zeros(0)
    ranks = np.empty((len(facets), n), dtype=int)
    for k, f in enumerate(facets):
        ranks[k, np.lexsort((tie, mean, margins[f][0]))] = idx
    best = np.argmin(ranks, axis=0)  # first facet on ties (taxonomy order)
    best_rank = ranks[best, idx]
    best_margin = np.array([margins[facets[b]][0][i] for i, b in enumerate(best)]) if n else np.zeros(0)
    order = np.lexsort((tie, best_margin, best_rank))
    return order, margins, best, best_rank


def _uncertainty_why(scores, facets, margins, best, best_rank, i: int) -> dict[str, Any]:
    f = facets[best[i]]
    fs = scores[f]
    m, lab = margins[f]
    j = int(lab[i])
    why = {"strategy": "uncertainty", "facet": f, "label": fs.labels[j], "margin": _r(m[i]),
           "score": _r(fs.scores[i, j]), "rank": int(best_rank[i]) + 1,
           "margins": {g: _r(margins[g][0][i]) for g in facets}}
    if fs.multi:
        why["threshold"] = _r(fs.thresholds[j])
    elif fs.scores.shape[1] > 1:
        second = np.argsort(-fs.scores[i], kind="stable")[1]
        why["runner_up"] = fs.labels[int(second)]
    return why


def select_batch(corpus: Corpus, predictor: Predictor, n: int, *, random_share: float = 0.3, seed: int = 0,
                 before: dt.date | str | None = None, after: dt.date | str | None = None,
                 exclude_ids: Iterable[str] = (), rare_below: int = 30, rare_share: float = 0.3,
                 rare_facets: Sequence[str] | None = None, positives_from: Sequence[Corpus] = (),
                 cues: bool = True, per_story: int = 2, per_source: int | None = None,
                 match: str | None = None) -> Batch:
    """Choose the next ``n`` articles to annotate (strategy in the module docstring).

    Parameters
    ----------
    corpus : the pool; candidates are its unannotated articles
    predictor : the model (:func:`annotation.load_predictor`)
    n : batch size (fewer when there are not enough candidates; ``Batch.notes`` says so)
    random_share : share of ``n`` drawn at random, stratified by month
    seed : seed of the random draw (a ``numpy`` Generator; no global state)
    before, after : keep articles dated on or after ``after`` and strictly before ``before``
        (``YYYY-MM-DD``; an article with only a year and month counts as the month's first day).
        With either, undated articles are left out (counted in ``counts["undated"]``)
    exclude_ids : article ids never to choose (tasks already in the Label Studio project)
    rare_below : a label with fewer annotated positives than this is rare (positives counted in ``corpus``
        and in ``positives_from``)
    rare_share : at most this share of the non-random part goes to rare labels
    rare_facets : facets whose labels may be rare (default: every facet the model scores)
    positives_from : other annotated corpora the model learns from (the starter corpus), whose positives
        count too
    cues : fall back on the taxonomy's cue phrases for a rare label the model gives to no candidate
    per_story : at most this many articles per story line
    per_source : at most this many per source (default: ``ceil(n / 4)``, lifted when it leaves the
        batch short)
    match : a keyword pool: only articles whose title or body this regular expression finds
        (case-insensitive, :func:`re.search`), e.g. ``r"deterr|drills|exercises"`` to seek a rare theme; every
        part of the batch, the random one included, is drawn from them (``counts["no_match"]``: how many did not)

    Returns
    -------
    Batch

    Raises
    ------
    SelectionError
        A bad parameter, a model whose taxonomy does not fit the corpus, or no candidate left.
    """
    before, after = _parse_day(before, "--before"), _parse_day(after, "--after")
    _check(n, random_share, rare_share, rare_below, per_story, per_source)
    pattern = _parse_match(match)
    per_source = max(1, math.ceil(n / 4)) if per_source is None else per_source
    if before is not None and after is not None and after >= before:
        raise SelectionError(f"the date window is empty: --after {after} is not before --before {before}.")
    counts: dict[str, int] = {}
    exclude = set(exclude_ids)
    pool = candidate_pool(corpus, before, after, exclude, counts, pattern)
    if not pool.ids:
        unmatched = f", {counts['no_match']} did not match --match {match!r}" if pattern is not None else ""
        raise SelectionError(
            f"no article left to choose from: {counts['articles']} in the corpus, {counts['annotated']} annotated, "
            f"{counts['outside_window'] + counts['undated']} outside the date window, {counts['excluded']} "
            f"excluded (already in the project){unmatched}. Widen the window or the keywords, or add articles to "
            f"the corpus.")
    rng = np.random.default_rng(seed)
    caps = Caps(pool, per_story, per_source)
    why: dict[int, dict[str, Any]] = {}
    for i, stratum in draw_random(pool, round(n * random_share), rng, caps):
        why[i] = {"strategy": "random", "stratum": stratum}
    taken = set(why)
    scores = _score(predictor, pool.texts)
    facets = _check_model(corpus, predictor, scores)
    rest = min(n, len(pool.ids)) - len(why)
    rare_facets = facets if rare_facets is None else [f for f in facets if f in set(rare_facets)]
    queues = _rare_queues([corpus, *positives_from], pool, scores, rare_facets, rare_below, cues)
    order, margins, best, best_rank = _uncertainty_order(scores, facets, len(pool.ids), rng)
    k_rare, lifted = round(rest * rare_share), 0
    # Each phase fills what it can under every cap, then (when the source cap left it short) lifts that cap.
    for lift in (False, True):
        for i, w in _pick_rare(queues, k_rare - sum(w["strategy"] == "rare_label" for w in why.values()), caps,
                               taken, lift):
            why[i] = {**w, "source_cap_lifted": True} if lift else w
            lifted += lift
    for lift in (False, True):
        for i in order:
            if len(why) >= n:
                break
            i = int(i)
            if i not in taken and caps.fits(i, lift_source=lift):
                caps.add(i)
                taken.add(i)
                why[i] = _uncertainty_why(scores, facets, margins, best, best_rank, i)
                if lift:
                    why[i]["source_cap_lifted"] = True
                    lifted += 1
    notes = []
    if lifted:
        notes.append(f"the cap of {per_source} articles per source left the batch short; it was lifted for "
                     f"the last {lifted} pick(s)")
    if len(why) < n:
        notes.append(f"only {len(why)} of {n} articles could be chosen ({counts['candidates']} candidates; "
                     f"one per near-duplicate group, {per_story} per story line)")
    chosen = list(why)
    controls = default_controls(corpus.taxonomy)
    counts["selected"] = len(chosen)
    made = Counter(w["strategy"] for w in why.values())
    counts.update({k: made.get(k, 0) for k in STRATEGIES})
    params = {"n": n, "random_share": random_share, "rare_share": rare_share, "rare_below": rare_below,
              "rare_facets": list(rare_facets), "cues": cues,
              "positives_from": [str(c.manifest.get("fingerprint") or c.fingerprint) for c in positives_from], "per_story": per_story, "per_source": per_source,
              "before": before.isoformat() if before else None, "after": after.isoformat() if after else None,
              "exclude_ids": len(exclude), **({"match": match} if pattern is not None else {})}
    return Batch(tuple(pool.ids[i] for i in chosen), {pool.ids[i]: why[i] for i in chosen}, predictor.model_version,
                 int(seed), str(corpus.manifest.get("fingerprint") or corpus.fingerprint), params, counts,
                 tuple(notes),
                 {pool.ids[i]: ls_prediction(scores, i, model_version=predictor.model_version, controls=controls)
                  for i in chosen})
