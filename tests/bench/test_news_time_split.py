"""bench.news_time_split cuts the corpus as the main job does: it reads the split command from tools/main.sh."""

from __future__ import annotations

import json
import re
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


NUMBERS = {"three": 3, "four": 4, "five": 5, "six": 6}


def _result_and_readme(key: str) -> tuple[dict, str]:
    """``key`` of bench/results/news_time_split.json, and the README with its whitespace runs made one space."""
    result = json.loads((ROOT / "bench" / "results" / "news_time_split.json").read_text(encoding="utf-8"))[key]
    return result, " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())


def test_the_readme_quotes_the_themes_lead_over_the_fold_draws_the_bench_measured():
    """The README's range of the themes lead over the plain pipeline is bench/results/news_time_split.json's
    fold_draws, rounded as printed."""
    draws, readme = _result_and_readme("fold_draws")
    themes = draws["facets"]["themes"]
    m = re.search(r"over (\w+) draws of the threshold folds the themes lead ran from ([−+-]?\d\.\d{3}) to "
                  r"([−+-]?\d\.\d{3}) \(the model ahead in (\d+)\)", readme)
    assert m, "the README no longer quotes the themes lead over the fold draws"
    assert NUMBERS[m.group(1)] == len(draws["seeds"])
    lo, hi = (float(x.replace("−", "-")) for x in m.group(2, 3))
    assert (lo, hi) == (round(themes["gap_min"], 3), round(themes["gap_max"], 3))
    assert int(m.group(4)) == themes["model_ahead"]


def test_the_readme_quotes_the_themes_lead_on_the_development_folds_the_bench_measured():
    """The README's mean themes lead on the development folds and its count of runs are bench/results/
    news_time_split.json's dev_fold_draws."""
    dev, readme = _result_and_readme("dev_fold_draws")
    m = re.search(r"on the development folds the model leads by (\d\.\d{3}) on average over (\w+) draws, ahead in "
                  r"(\d+) of (\d+) runs", readme)
    assert m, "the README no longer quotes the themes lead on the development folds"
    assert float(m.group(1)) == round(dev["gap_mean"], 3)
    assert NUMBERS[m.group(2)] == len(dev["seeds"])
    assert (int(m.group(3)), int(m.group(4))) == (dev["model_ahead"], len(dev["themes"]))
