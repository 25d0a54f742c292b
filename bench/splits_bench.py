"""Benchmark: make_splits on a 10,000-article synthetic corpus with the default taxonomy, against
the usual alternatives (a random split, a random group split, iterstrat's per-article iterative
stratification).

Run: ``.venv/bin/python -m bench.splits_bench`` (writes bench/results/splits.json and splits.png).

Also timed: extending that split after the corpus grew by 20% (old articles must not move).

The corpus: regions, themes and actors drawn with Zipf-like skew (so many actors are rare), 6% of the
articles are wire copies of another article (one word changed: near-duplicate groups of 2-4) and
articles follow story lines of 1-6 articles (``meta.story``), so the split keeps both kinds of group
together. Timings are medians of 3 runs on this machine (2 cores).
"""

from __future__ import annotations

import json
import math
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from corpus import Article, atomic_write_json, from_articles, load_taxonomy, make_splits
from corpus._stratify import components

RESULTS = Path(__file__).resolve().parent / "results"
N = 10_000
EVAL = 0.2
REPEATS = 3


def synthetic_articles(n: int, seed: int = 0) -> list[Article]:
    tax = load_taxonomy()
    rng = np.random.default_rng(seed)
    regions, themes, actors = (tax.facet(f).ids for f in ("region", "themes", "actors"))

    def zipf(k: int, s: float) -> np.ndarray:
        p = 1.0 / np.arange(1, k + 1) ** s
        return p / p.sum()

    p_region, p_theme, p_actor = zipf(len(regions), 0.8), zipf(len(themes), 1.0), zipf(len(actors), 1.1)
    arts: list[Article] = []
    story = 0
    while len(arts) < n:
        length = int(rng.integers(1, 7))
        for _ in range(length):
            i = len(arts)
            words = [f"w{int(x)}" for x in rng.integers(0, 50_000, 40)]
            labels = {
                "region": regions[rng.choice(len(regions), p=p_region)],
                "themes": sorted({themes[j] for j in rng.choice(len(themes), int(rng.integers(1, 4)), p=p_theme)}),
                "actors": sorted({actors[j] for j in rng.choice(len(actors), int(rng.integers(1, 5)), p=p_actor)}),
            }
            arts.append(Article(title=f"Story {i}", body=" ".join(words), labels=labels, meta={"story": f"s{story}"}))
            if rng.random() < 0.03:  # wire copies: near-duplicates of this article
                for c in range(int(rng.integers(1, 4))):
                    copy = list(words)
                    copy[c] = f"changed{c}"
                    arts.append(Article(title=f"Story {i}", body=" ".join(copy), labels=labels,
                                        meta={"story": f"s{story}"}))
        story += 1
    return arts[:n]


def label_matrix(corpus, labeled_ids):
    pos = {i: n for n, i in enumerate(corpus.ids)}
    cols = []
    for f in corpus.taxonomy.facets:
        values = corpus.labels(f.name)
        for lab in f.ids:
            cols.append((f.name, lab, [lab in (v if isinstance(v, list) else [v]) for v in values]))
    y = np.array([c[2] for c in cols], dtype=np.int8).T
    rows = [pos[i] for i in labeled_ids]
    return y[rows], [(f, lab) for f, lab, _ in cols]


def quality(eval_mask: np.ndarray, y: np.ndarray, comp: np.ndarray) -> dict:
    """Groups across sides; eval share per label with >= 10 groups (ceil(2 / 0.2))."""
    crossing = 0
    for g in np.unique(comp):
        sides = set(eval_mask[comp == g].tolist())
        crossing += len(sides) > 1
    n_groups = np.array([len(np.unique(comp[y[:, j] > 0])) for j in range(y.shape[1])])
    eligible = n_groups >= math.ceil(2 / EVAL)
    totals = y.sum(axis=0)
    in_eval = y[eval_mask].sum(axis=0)
    share = in_eval[eligible] / totals[eligible]
    missing = int(((in_eval == 0) & eligible).sum())
    return {
        "eval_share_of_articles": round(float(eval_mask.mean()), 4),
        "groups_across_sides": int(crossing),
        "labels_with_enough_groups": int(eligible.sum()),
        "of_which_missing_from_eval": missing,
        "eval_share_per_label_mean_abs_error": round(float(np.abs(share - EVAL).mean()), 4),
        "eval_share_per_label_max_abs_error": round(float(np.abs(share - EVAL).max()), 4),
        "chi_square_per_label": round(float((((in_eval - EVAL * totals) ** 2) / np.maximum(EVAL * totals, 1e-9))
                                            [eligible].mean()), 4),
    }


def timed(fn):
    times, out = [], None
    for _ in range(REPEATS):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, round(statistics.median(times), 3)


def main() -> dict:
    from sklearn.model_selection import GroupShuffleSplit, ShuffleSplit
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    t = time.perf_counter()
    corpus = from_articles(synthetic_articles(N), load_taxonomy())
    build_s = time.perf_counter() - t
    ids = list(corpus.ids)
    y, labels = label_matrix(corpus, ids)
    stories = [json.loads(m)["story"] for m in corpus.dataset["meta"]]
    comp = np.array(components([[("g", g), ("s", s)] for g, s in zip(corpus.dataset["group_id"], stories)]))
    x = np.zeros((len(ids), 1))

    results = {}
    m, secs = timed(lambda: make_splits(corpus, {"train": 0.8, "eval": 0.2}, 0, group_columns=("meta.story",)))
    ev = set(m.ids["eval"])
    results["newstag make_splits (groups: near-duplicates + meta.story)"] = {
        "seconds": secs, **quality(np.array([i in ev for i in ids]), y, comp)}
    _, secs_folds = timed(lambda: make_splits(corpus, (0.8, 0.2), 0, group_columns=("meta.story",), folds=5))
    results["newstag make_splits (groups: near-duplicates + meta.story)"]["seconds_with_5_folds"] = secs_folds
    grown = from_articles(synthetic_articles(int(N * 1.2)), load_taxonomy())  # the same 10,000 and 2,000 more
    ext, secs_ext = timed(lambda: make_splits(grown, (0.8, 0.2), 0, group_columns=("meta.story",), previous=m))
    before, after = m.assignment(), ext.assignment()
    results["newstag make_splits (groups: near-duplicates + meta.story)"]["extend_by_20_percent"] = {
        "seconds": secs_ext, "old_articles_moved": sum(1 for i, s in before.items() if after.get(i) != s),
        "added": ext.extends["added"], "group_conflicts": len(ext.extends["group_conflicts"]),
    }

    def one(splitter, **kw):
        _, test = next(splitter.split(x, **kw))
        mask = np.zeros(len(ids), dtype=bool)
        mask[test] = True
        return mask

    for name, fn in [
        ("random (sklearn ShuffleSplit)", lambda: one(ShuffleSplit(1, test_size=EVAL, random_state=0))),
        ("random groups (sklearn GroupShuffleSplit)",
         lambda: one(GroupShuffleSplit(1, test_size=EVAL, random_state=0), groups=comp)),
        ("iterstrat MultilabelStratifiedShuffleSplit (per article, no groups)",
         lambda: one(MultilabelStratifiedShuffleSplit(1, test_size=EVAL, random_state=0), y=y)),
    ]:
        mask, secs = timed(fn)
        results[name] = {"seconds": secs, **quality(mask, y, comp)}

    out = {
        "benchmark": "splits",
        "corpus": {"articles": len(ids), "labels_in_taxonomy": len(labels), "labels_used": int((y.sum(0) > 0).sum()),
                   "groups": int(len(np.unique(comp))), "largest_group": int(np.bincount(comp).max()),
                   "build_seconds": round(build_s, 1)},
        "ratios": {"train": 0.8, "eval": EVAL},
        "repeats": REPEATS, "statistic": "median",
        "machine": {"python": platform.python_version(), "processor": platform.machine(), "cores": 2},
        "results": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    atomic_write_json(RESULTS / "splits.json", out)
    plot(results, RESULTS / "splits.png")
    return out


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    short = ["newstag", "random", "random groups", "iterstrat"]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for ax, key, title in [
        (axes[0], "eval_share_per_label_max_abs_error", "worst label: |eval share - 0.2|"),
        (axes[1], "of_which_missing_from_eval", "labels (>= 10 groups) missing from eval"),
        (axes[2], "groups_across_sides", "groups split across train/eval"),
    ]:
        ax.bar(short, [results[n][key] for n in names], color=["tab:green", "tab:gray", "tab:gray", "tab:blue"])
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
    fig.suptitle("train/eval split of a 10,000-article corpus (default taxonomy), lower is better", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    print(json.dumps(main()["results"], indent=2))
