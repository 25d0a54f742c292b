"""Fault injection helpers: run a write in a forked child and SIGKILL it at seeded random moments.

Children are forked from the (already imported) test process, so 50 kills cost seconds, not minutes.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

from corpus import load

KILLS = 50


def fork_child(fn) -> int:
    pid = os.fork()
    if pid == 0:  # the child: run, then leave without pytest's clean-up
        code = 1
        try:
            fn()
            code = 0
        finally:
            os._exit(code)
    return pid


def run_child(fn) -> float:
    """Run ``fn`` in a child to the end; its duration."""
    start = time.perf_counter()
    _, status = os.waitpid(fork_child(fn), 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child failed without being killed"
    return time.perf_counter() - start


def kill_child_at(fn, delay: float) -> bool:
    """Run ``fn`` in a child and SIGKILL it after ``delay`` seconds; True when it finished first."""
    pid = fork_child(fn)
    time.sleep(delay)
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        assert os.waitstatus_to_exitcode(status) == 0
        return True
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return False


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir()
                  if p.name.startswith(f".{folder.name}.") and not p.name.endswith(".lock"))


def fingerprint_of(folder: Path) -> str:
    return load(folder).manifest["fingerprint"]


def labeled_ids(folder: Path) -> set[str]:
    c = load(folder)
    return {i for i, ok in zip(c.ids, c.dataset["labeled"]) if ok}


def check_each_kill(name, target: Path, restore, work, versions: dict[str, str], check=None, seed=0, kills=KILLS):
    """``kills`` times: restore the old version, run ``work`` in a child killed at a random moment, then
    check that ``target`` loads as the old or the new version."""
    restore()
    duration = run_child(work)
    rng = random.Random(seed)
    finished = 0
    for k in range(kills):
        restore()
        assert leftovers(target) == [], f"{name}: the write before kill {k} did not clean up"
        finished += kill_child_at(work, rng.uniform(0, duration * 1.1))
        version = versions.get(fingerprint_of(target) if check is None else check(target))
        assert version in ("old", "new"), f"{name}, kill {k}: the folder is neither the old nor the new version"
    assert finished < kills, f"{name}: no child was killed before it finished (duration {duration:.2f} s)"
