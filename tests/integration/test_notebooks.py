"""The notebooks of notebooks/: each runs from top to bottom in a fresh kernel, writes nothing into the
repository (only into temporary folders), and is committed with the outputs of one fresh run.

They run the way ``tools/run_notebooks.py`` runs them (which also refreshes the committed outputs).
The quickstart loads the model ``make main`` trains (``models/default``); without it that test skips
with the reason, except in CI (env ``CI`` set), where it fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.run_notebooks import execute, notebooks

ROOT = Path(__file__).resolve().parent.parent.parent
EXPECTED = ["01_quickstart", "02_annotation", "03_training_and_evaluation", "04_benchmarks"]
# Left out of the before/after comparison: folders a notebook may write to (out/; temporary folders are
# outside the repository) or that tools change underneath, and Python sources (a notebook never writes
# one; people editing the checkout while the test runs do).
NOT_WATCHED = {".git", ".venv", ".venv-ls", ".cache", "out", "__pycache__", ".pytest_cache", ".ipynb_checkpoints",
               ".hypothesis", "newstag.egg-info"}
NOT_WATCHED_SUFFIXES = {".py"}

pytestmark = pytest.mark.integration


def _snapshot() -> dict[str, tuple[int, int]]:
    """Every file of the repository outside :data:`NOT_WATCHED` (Python sources aside): path -> (size,
    modification time)."""
    out = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in NOT_WATCHED]
        for name in files:
            path = Path(folder) / name
            if path.suffix in NOT_WATCHED_SUFFIXES:
                continue
            try:
                st = path.stat()
            except FileNotFoundError:  # removed between listing and looking
                continue
            out[str(path.relative_to(ROOT))] = (st.st_size, st.st_mtime_ns)
    return out


def test_the_four_notebooks_of_the_issue_are_there():
    assert [p.stem for p in notebooks()] == EXPECTED


@pytest.mark.slow
@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_notebook_runs_without_error_and_writes_nothing_into_the_repository(path):
    from nbclient.exceptions import CellExecutionError

    if path.stem == "01_quickstart":
        from classifier import default_model_path

        if not (default_model_path() / "model.skops").is_file():
            reason = f"{default_model_path()} holds no model: run `make main` first"
            if os.environ.get("CI"):
                pytest.fail(f"{reason}; CI is set, so this notebook must run, not skip.")
            pytest.skip(reason)
    before = _snapshot()
    try:
        nb = execute(path)
    except CellExecutionError as exc:
        pytest.fail(f"{path.name} failed:\n{exc}", pytrace=False)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "every code cell ran"
    after = _snapshot()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"{path.name} wrote into the repository: {changed[:10]}"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem)
def test_notebook_is_committed_with_the_outputs_of_one_fresh_run(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), \
        f"{path.name}: run it from the top (.venv/bin/python tools/run_notebooks.py {path.relative_to(ROOT)})"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name} was committed with an error output: {errors[0].get('ename')}"
    assert all("execution" not in c.metadata for c in code), "cell timing metadata is not committed"
    assert sum(1 for c in code if c.outputs) >= len(code) - 2  # only set-up and clean-up cells show nothing
