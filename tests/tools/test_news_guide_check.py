"""tools/news/guide_check.py: each item to two distinct readers, every pair in turn, the load balanced; the committed
record is what the handout draws."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bench.guide_check import CHECKS
from tools.news import guide_check

from ..conftest import ROOT


def test_each_item_goes_to_two_readers_with_the_load_balanced():
    items = [f"i{k:03d}" for k in range(530)]
    pairs = guide_check.assign("g", items, 8)
    assert set(pairs) == set(items) and all(len(set(p)) == 2 for p in pairs.values())
    load = Counter(who for p in pairs.values() for who in p)
    assert set(load) == set(guide_check.readers(8)) and max(load.values()) - min(load.values()) <= 2
    assert Counter(tuple(p) for p in pairs.values()).most_common()[-1][1] >= 530 // 28  # every pair used
    assert guide_check.assign("g", items, 8) == pairs and guide_check.assign("h", items, 8) != pairs


@pytest.mark.parametrize("name", CHECKS)
def test_each_committed_check_is_the_handouts_draw_and_every_reader_labeled_every_item_of_theirs(name):
    record = json.loads((ROOT / "tools" / "news" / "labels" / f"{name}.json").read_text(encoding="utf-8"))
    items = sorted(record["sets"]["eval"] + record["sets"]["dev"])
    assert guide_check.assign(name, items, len(record["readers"])) == record["assignment"]
    for who in record["readers"]:
        rows = (ROOT / "tools" / "news" / "labels" / f"{name}-{who}.jsonl").read_text(encoding="utf-8").splitlines()
        assert sorted(json.loads(r)["item"] for r in rows) == sorted(a for a, p in record["assignment"].items() if who in p)
