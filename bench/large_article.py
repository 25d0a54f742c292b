"""Benchmark: peak memory of one 50 MB article, near-duplicate signature alone and a whole corpus build.

Run: ``.venv/bin/python -m bench.large_article`` (writes bench/results/large_article.json).

Before issue 13 the near-duplicate signature of one text held ``permutations x words`` uint64 at once
(128 x 8.5 M words x 8 bytes: 8.9 GB peak for a 50 MB article). A text over ``_PIECE_CHARS`` characters
is now read in pieces and its shingles permuted a batch at a time; the target is a peak under 1 GiB.
Each measurement runs in its own child process (peak RSS ``VmHWM`` of that child only).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench._common import MIB, child_result, run_child, write_result

SIZE_MB = 50
TARGET_MIB = 1024


def article_text(size_mb: int = SIZE_MB, seed: int = 0) -> str:
    """A seed-format article of about ``size_mb`` MB: words drawn from a 20,000-word vocabulary."""
    import numpy as np

    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i:05d}" for i in range(20_000)])
    words = vocab[rng.integers(0, len(vocab), size=size_mb * MIB // 7)]
    lines = [" ".join(words[i:i + 120]) + "." for i in range(0, len(words), 120)]
    return "Asia\nA very long article\nJul 28. (EUROPA PRESS) –\n\n" + "\n\n".join(lines) + "\n"


def _child(stage: str, file: str) -> None:
    """Measured in its own process: the article is read from ``file`` (made by the parent)."""
    path = Path(file)
    t0 = time.perf_counter()
    if stage == "signature":
        from corpus.fingerprint import NearDuplicateIndex

        text = path.read_text(encoding="utf-8")
        NearDuplicateIndex().signatures([text])
    else:
        from corpus import build

        build([path], output=path.parent / "corpus")
    child_result({"stage": stage, "chars": path.stat().st_size, "seconds": round(time.perf_counter() - t0, 2)})


def main() -> None:
    stages = {}
    tmp = tempfile.TemporaryDirectory()
    file = Path(tmp.name) / "big.txt"
    file.write_text(article_text(), encoding="utf-8")
    for stage in ("signature", "build"):
        r = run_child("bench.large_article", ["--child", stage, str(file)])
        stages[stage] = {"peak_rss_mib": r["peak_rss_mib"], "seconds": r["seconds"],
                         "article_mb": round(r["chars"] / 1e6, 1)}
        print(stage, stages[stage], flush=True)
    tmp.cleanup()
    write_result("large_article", {"target_peak_mib": TARGET_MIB, "stages": stages,
                                   "under_target": all(v["peak_rss_mib"] < TARGET_MIB for v in stages.values())},
                 "python -m bench.large_article")


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    else:
        main()
