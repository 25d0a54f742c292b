"""What every benchmark shares: where the data and results are, machine facts, median timing, peak
memory measured in a child process, progress bars, and writing a result file.

Timings are wall-clock medians on the machine that ran them (``machine`` in every result file says
which); memory is the peak resident set size (``VmHWM``) of a child process that did only the
measured work, so the parent's own memory never counts.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from corpus import InputError, atomic_write_json

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SHARED_DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / ".cache" / "bench"
MIB = 1024 * 1024


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for the timed call (benchmarks only: the library never
    switches it).

    Tagging 10,000 articles makes a few hundred thousand result records; with a list of all of them kept,
    the collector's full passes over every object of the process cost as much again as building them
    (bench/README.md quotes both figures). A benchmark that opts in times every system of a round this
    way, so they are compared alike; the collector's state is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def interleaved_cpu(systems: Mapping[str, Callable[[], Any]], rounds: int
                    ) -> tuple[dict[str, list[float]], list[float], dict[str, Any]]:
    """Run every system once per round, in turn (interleaved rounds), each with the collector paused, timed in
    CPU seconds (``time.process_time``: the machine is shared).

    Returns ``(CPU seconds per system, one per round; the 1-minute load average at the start of each round;
    each system's result from the last round)``.
    """
    cpu: dict[str, list[float]] = {k: [] for k in systems}
    loads: list[float] = []
    last: dict[str, Any] = {}
    for _ in range(rounds):
        loads.append(round(os.getloadavg()[0], 2))
        for name, fn in systems.items():
            with gc_paused():
                c = time.process_time()
                last[name] = fn()
                cpu[name].append(time.process_time() - c)
    return cpu, loads, last


def shared_data(name: str) -> Path:
    """``../shared/data/<name>``, or an error saying where the real corpora are expected."""
    path = SHARED_DATA / name
    if not path.exists():
        raise InputError(f"{path} is absent: the benchmarks read the real corpora from ../shared/data beside the "
                         f"repository (see DESIGN.md, 'Real data').")
    return path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _git_commit() -> str:
    """The checked-out commit, with "+ local changes" when tracked files differ from it."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return (head or "unknown") + (" + local changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine_info() -> dict[str, Any]:
    """The machine and library versions a result was measured with."""
    versions = {"python": platform.python_version()}
    for pkg in ("scikit-learn", "numpy", "scipy", "datasets", "pyarrow"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = "absent"
    return {
        "cpu": _cpu_model(), "cores": os.cpu_count(), "memory_gib": _memory_total_gib(),
        "os": f"{platform.system()} {platform.release()}", "versions": versions, "commit": _git_commit(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def median_time(fn: Callable[[], Any], repeats: int = 3) -> tuple[float, list[float], Any]:
    """Run ``fn`` ``repeats`` times; ``(median seconds, every time, the last result)``."""
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, result


def self_peak_rss_mib() -> float:
    """This process's peak resident set size so far, in MiB.

    Linux: ``VmHWM`` of ``/proc/self/status``, the high-water mark of this program's own memory.
    ``ru_maxrss`` is not used there: Linux carries it over ``exec``, so a child started by a large
    parent (``subprocess`` forks or vforks it first) would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(module: str, args: Sequence[str], timeout: float = 1800) -> dict[str, Any]:
    """Run ``python -m <module> <args>`` and return the JSON object it printed on its last stdout line
    (see :func:`child_result`: it carries the child's own ``peak_rss_mib``), with ``wall_seconds`` added.

    Raises
    ------
    RuntimeError
        When the child fails or prints no JSON; the message carries its stderr tail.
    """
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg", HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
               HF_HOME=str(ROOT / ".cache" / "huggingface"))
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"{module} {' '.join(args)} did not finish within {timeout:.0f} s") from None
    wall = time.perf_counter() - t0
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{module} {' '.join(args)} failed (exit {proc.returncode}):\n{stderr[-3000:]}")
    try:
        out = json.loads(lines[-1])
    except json.JSONDecodeError:
        raise RuntimeError(f"{module} {' '.join(args)} printed no JSON result; last line {lines[-1][:200]!r}") from None
    out["wall_seconds"] = round(wall, 3)
    return out


def child_result(data: dict[str, Any]) -> None:
    """Print a child's result as its last stdout line, with its own peak RSS (what :func:`run_child` reads)."""
    data = dict(data, peak_rss_mib=round(self_peak_rss_mib(), 1))
    print(json.dumps(data, sort_keys=True), flush=True)


def write_result(name: str, data: dict[str, Any], command: str) -> Path:
    """Write ``bench/results/<name>.json`` atomically, with the command that reproduces it and the machine."""
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "command": command,
        "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        **data,
    }
    atomic_write_json(path, payload)
    return path


def progress():
    """A rich progress bar on stderr (benchmarks are long-running)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=False)


def rounded(x: float, digits: int = 4) -> float:
    return float(round(float(x), digits))
