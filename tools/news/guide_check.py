"""A guide-only check: real items labeled again by readers who follow ``../shared/ANNOTATION_GUIDE.md`` alone.

The corpus's annotators work from the guide *and* ``tools/news/CONVENTIONS.md`` (21 rules decided round by round).
Users, and the team's own later-period check, label from the guide alone. This check measures what that difference
costs: fresh readers, two per item, label random items with the guide only, and ``bench/guide_check.py`` compares
their labels with each other, with the corpus's settled labels, and with the model's tags.

Steps (``.venv/bin/python -m tools.news.guide_check STEP``):

1. ``handout NAME`` the items: every item of the main job's evaluation set (``out/corpus``'s time split: the random
   items of March–May 2026; ``--round R``: instead the items a random round adds to it, so that a later check covers
   only what no earlier one holds) and ``--dev N`` random items of the development folds (June 2025 – February 2026,
   stratified by month, seeded); each item to two of ``--readers K`` readers (every pair used, seeded); the todo
   files (text and date only) in ``.cache/news/rounds/NAME/`` and the committed record
   ``tools/news/labels/NAME.json`` (the items of each set and each item's readers);
2. each reader writes ``tools/news/labels/NAME-guide-X.jsonl`` (the round files' format);
3. ``check NAME guide-X`` checks a reader's file against the taxonomy and the todo file.

Nothing here needs a Label Studio server: the labels are a measurement, not corpus items.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from collections import defaultdict

from tools.news.label import LABELS, ROOT, WORK, _pool, _texts_and_dates, report_check, seeded_rng
from tools.news.pool import write_jsonl

DEV = ("2025-06-01", "2026-02-28")  # bench.model_quality.FOLDS dev3 .. dev1


def readers(k: int) -> list[str]:
    return [f"guide-{chr(ord('a') + i)}" for i in range(k)]


def choose(name: str, dev_n: int, round_items: list[str] | None = None) -> dict[str, list[str]]:
    """``{"eval": ..., "dev": ...}``: the main job's evaluation items (or ``round_items``: the items a labeling round
    adds to the evaluation set, handed out while the round is labeled), and ``dev_n`` random items of the development
    folds drawn evenly over their months (seeded by ``name``)."""
    from corpus import load, load_splits

    corpus, splits = load(ROOT / "out" / "corpus"), load_splits(ROOT / "out" / "corpus")
    cols = corpus.dataset.select_columns(["id", "meta", "date_text", "labeled"]).to_dict()
    by_month = defaultdict(list)
    for aid, meta, date, labeled in zip(cols["id"], cols["meta"], cols["date_text"], cols["labeled"]):
        if labeled and meta and json.loads(meta).get("selection") == "random" and date and DEV[0] <= date <= DEV[1]:
            by_month[date[:7]].append(aid)
    rng, months = seeded_rng(f"{name}/dev"), sorted(by_month)
    dev = []
    for k, month in enumerate(months):
        ids = sorted(by_month[month])
        n = dev_n // len(months) + (k < dev_n % len(months))
        dev += [ids[i] for i in sorted(rng.choice(len(ids), size=min(n, len(ids)), replace=False))]
    return {"eval": sorted(splits.ids["eval"] if round_items is None else round_items), "dev": sorted(dev)}


def assign(name: str, items: list[str], k: int) -> dict[str, list[str]]:
    """item -> its two readers: every pair of the ``k`` readers in turn over a seeded shuffle (balanced)."""
    pairs = list(itertools.combinations(readers(k), 2))
    order = [items[i] for i in seeded_rng(f"{name}/pairs").permutation(len(items))]
    return {a: list(pairs[j % len(pairs)]) for j, a in enumerate(order)}


def cmd_handout(args) -> None:
    round_items = None
    if args.round:
        from tools.news.label import _state

        rounds = _state().get("rounds", {})
        if args.round not in rounds:
            raise SystemExit(f"guide_check handout: no round {args.round!r} in {WORK / 'state.json'} "
                             f"(rounds: {', '.join(sorted(rounds)) or 'none'}): claim it first (tools.news.label claim)")
        round_items = list(rounds[args.round]["articles"])
    sets = choose(args.name, args.dev, round_items)
    items = sorted(sets["eval"] + sets["dev"])
    pairs = assign(args.name, items, args.readers)
    text, date = _texts_and_dates(_pool())
    out = WORK / "rounds" / args.name
    for who in readers(args.readers):
        mine = sorted((a for a in items if who in pairs[a]),
                      key=lambda a: hashlib.sha256(f"{who}/{a}".encode()).hexdigest())
        write_jsonl(out / f"todo-{who}.jsonl", [{"item": a, "date": date[a], "text": text[a]} for a in mine])
        print(f"{who}: {len(mine)} items -> {out / f'todo-{who}.jsonl'}", file=sys.stderr)
    record = {"what": "guide-only check: each item labeled by two readers following ../shared/ANNOTATION_GUIDE.md "
                      "alone (not tools/news/CONVENTIONS.md), blind to every other label (tools/news/guide_check.py)",
              "readers": readers(args.readers), "dev_months": list(DEV), "sets": sets, "assignment": pairs}
    (LABELS / f"{args.name}.json").write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{args.name}: {len(sets['eval'])} evaluation + {len(sets['dev'])} development items", file=sys.stderr)


def cmd_check(args) -> None:
    """A reader's labels file against the taxonomy and its todo file: what is missing, extra or invalid."""
    report_check(LABELS / f"{args.name}-{args.reader}.jsonl", WORK / "rounds" / args.name / f"todo-{args.reader}.jsonl")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="step", required=True)
    s = sub.add_parser("handout")
    s.add_argument("name")
    s.add_argument("--dev", type=int, default=200, help="random items of the development folds")
    s.add_argument("--readers", type=int, default=8)
    s.add_argument("--round", help="hand out this labeling round's items as evaluation items instead of the main "
                                   "job's evaluation set (a random round of the evaluation period, while it is labeled)")
    s = sub.add_parser("check")
    s.add_argument("name")
    s.add_argument("reader")
    args = p.parse_args(argv)
    globals()[f"cmd_{args.step}"](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
