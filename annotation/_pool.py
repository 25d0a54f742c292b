"""The candidate pool of active learning: which articles may be chosen, their month strata, the caps.

Private to :mod:`annotation.active`. :func:`_unannotated` is the one place that decides which articles
still need annotation.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from corpus import Corpus


def _unannotated(corpus: Corpus) -> np.ndarray:
    """Which articles still need annotation (bool per corpus row): today, those not ``labeled``.

    The one place that decides it, so a per-facet "annotated" state can replace ``labeled`` here.
    """
    return ~np.asarray(corpus.dataset.with_format("arrow")["labeled"].to_numpy(zero_copy_only=False), dtype=bool)


@dataclass
class Pool:
    """The candidates: corpus rows and what the caps and strata need of each."""

    rows: list[int]
    ids: list[str]
    texts: list[str]
    month: list[str]
    group: list[str]
    story: list[str]
    source: list[str]


def _first(value: Any) -> str:
    return str(value[0]) if isinstance(value, list) and value and value[0] else ""


def candidate_pool(corpus: Corpus, before: dt.date | None, after: dt.date | None, exclude: set[str],
                counts: dict[str, int], match: re.Pattern[str] | None = None) -> Pool:
    """The unannotated articles inside the date window, not excluded and (with ``match``, a keyword pool)
    whose title or body ``match`` finds; ``counts`` gets how many each rule left out."""
    cols = corpus.dataset.select_columns(["id", "title", "body", "year", "month", "day", "group_id", "source",
                                          "meta"]).to_dict()
    open_ = _unannotated(corpus)
    counts.update(articles=len(open_), annotated=int((~open_).sum()), outside_window=0, undated=0, excluded=0)
    if match is not None:
        counts["no_match"] = 0
    pool = Pool([], [], [], [], [], [], [])
    for i, aid in enumerate(cols["id"]):
        if not open_[i]:
            continue
        y, m, d = cols["year"][i], cols["month"][i], cols["day"][i]
        try:
            day = dt.date(y, m or 1, d or 1) if y else None
        except ValueError:
            day = None
        if before is not None or after is not None:
            if day is None:
                counts["undated"] += 1
                continue
            if (before is not None and day >= before) or (after is not None and day < after):
                counts["outside_window"] += 1
                continue
        if aid in exclude:
            counts["excluded"] += 1
            continue
        title, body = cols["title"][i], cols["body"][i]
        if match is not None and not (match.search(title or "") or match.search(body or "")):
            counts["no_match"] += 1
            continue
        meta = json.loads(cols["meta"][i] or "{}")
        pool.rows.append(i)
        pool.ids.append(aid)
        pool.texts.append(f"{title}\n\n{body}" if title else body)
        pool.month.append(f"{y:04d}-{m:02d}" if y and m else "")
        group = cols["group_id"][i] or aid
        pool.group.append(group)
        pool.story.append(_first(meta.get("story_line")) or f"group:{group}")
        pool.source.append(_first(meta.get("outlets")) or cols["source"][i] or "")
    counts["candidates"] = len(pool.ids)
    return pool


def quotas(sizes: Mapping[str, int], k: int) -> dict[str, int]:
    """Largest-remainder shares of ``k`` proportional to ``sizes`` (ties: stratum order)."""
    total = sum(sizes.values())
    exact = {s: k * v / total for s, v in sizes.items()}
    out = {s: int(math.floor(x)) for s, x in exact.items()}
    for s in sorted(sizes, key=lambda s: (-(exact[s] - out[s]), s))[:k - sum(out.values())]:
        out[s] += 1
    return out


class Caps:
    def __init__(self, pool: Pool, per_story: int, per_source: int):
        self.pool, self.per_story, self.per_source = pool, per_story, per_source
        self.groups: set[str] = set()
        self.stories: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()

    def fits(self, i: int, *, lift_source: bool = False) -> bool:
        p = self.pool
        return (p.group[i] not in self.groups and self.stories[p.story[i]] < self.per_story
                and (lift_source or self.sources[p.source[i]] < self.per_source))

    def add(self, i: int) -> None:
        p = self.pool
        self.groups.add(p.group[i])
        self.stories[p.story[i]] += 1
        self.sources[p.source[i]] += 1


def draw_random(pool: Pool, k: int, rng: np.random.Generator, caps: Caps) -> list[tuple[int, str]]:
    """``k`` candidates drawn uniformly within month strata (:func:`quotas`), one per near-duplicate group;
    returns (pool index, stratum) pairs and adds them to ``caps``."""
    strata: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(pool.month):
        strata[m or "undated"].append(i)
    quota = quotas({s: len(v) for s, v in strata.items()}, min(k, len(pool.ids)))
    chosen: list[tuple[int, str]] = []

    def take(i: int, stratum: str) -> bool:
        if pool.group[i] in caps.groups:
            return False
        caps.add(i)
        chosen.append((i, stratum))
        return True

    for s in sorted(strata):
        members, got = strata[s], 0
        for j in rng.permutation(len(members)):
            if got == quota[s]:
                break
            got += take(members[int(j)], s)
    if len(chosen) < k:  # a stratum short of articles outside the groups already drawn
        taken = {i for i, _ in chosen}
        for j in rng.permutation(len(pool.ids)):
            if len(chosen) >= k:
                break
            if int(j) not in taken:
                take(int(j), pool.month[int(j)] or "undated")
    return chosen
