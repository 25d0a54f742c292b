"""bench.news_time_split cuts the corpus as the main job does: it reads the split command from tools/main.sh."""

from __future__ import annotations

import shlex

import pytest

import bench.news_time_split as nts
from ..conftest import ROOT


def test_the_bench_splits_with_the_main_jobs_own_command(tmp_path):
    line = next(x for x in (ROOT / "tools" / "main.sh").read_text(encoding="utf-8").splitlines()
                if x.startswith('"$NEWSTAG" corpus split '))
    want = [str(tmp_path) if w == "$OUT/corpus" else w for w in shlex.split(line)[1:]]
    assert nts.main_job_split(tmp_path) == want and "--folds" in want
    assert nts.main_job_folds() == int(want[want.index("--folds") + 1])  # what bench.model_quality's plain pipeline cuts


def test_a_main_job_split_at_another_day_is_refused_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(nts, "CUTOFF", "2026-04-01")
    with pytest.raises(SystemExit, match=r"--time 2026-04-01 --until 2026-05-31 \.\.\.` line: make the two agree"):
        nts.main_job_split(tmp_path)
