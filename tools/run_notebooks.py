"""Execute the notebooks in a fresh kernel and save them with their outputs (the committed state).

Run: ``.venv/bin/python tools/run_notebooks.py [notebooks/NAME.ipynb ...]`` (default: every notebook in
``notebooks/``); ``--check`` executes without saving. Run ``make main`` first: the quickstart loads the
model it trains (``models/default``).

Each notebook runs from its own folder with the ``python3`` kernel of this interpreter's environment
(jupyter_client starts ``python`` as ``sys.executable``), so ``.venv/bin/python`` runs them in ``.venv``.
Cell timing metadata is not recorded: a rerun changes only what the outputs show. The integration test
``tests/integration/test_notebooks.py`` runs them the same way.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TIMEOUT = 600  # seconds per cell
ENV = {"MPLBACKEND": "Agg", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
       "HF_HOME": str(ROOT / ".cache" / "huggingface")}
# The notebooks run from notebooks/, where ./models/default is not: point the model lookup at the main job's
# model when there is one (else Tagger.load() there finds the bundled model, classifier/bundled).
if (ROOT / "models" / "default" / "model.skops").is_file():
    ENV["NEWSTAG_MODEL"] = str(ROOT / "models" / "default")


def notebooks() -> list[Path]:
    """The notebooks of ``notebooks/``, in name order."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def execute(path: str | Path, *, timeout: int = TIMEOUT):
    """Run every cell of the notebook at ``path`` in a fresh ``python3`` kernel, from the notebook's folder;
    returns the notebook with its new outputs (the file is not changed).

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        When a cell fails; the message holds the cell's source and the traceback.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    for key, value in ENV.items():
        os.environ.setdefault(key, value)  # the kernel inherits this environment
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def main(argv: list[str] | None = None) -> int:
    import nbformat
    from nbclient.exceptions import CellExecutionError

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="notebooks to run (default: all of notebooks/)")
    ap.add_argument("--check", action="store_true", help="execute only; do not save the outputs")
    args = ap.parse_args(argv)
    status = 0
    for path in args.paths or notebooks():
        t0 = time.perf_counter()
        try:
            nb = execute(path)
        except CellExecutionError as exc:
            print(f"{path}: FAILED after {time.perf_counter() - t0:.0f} s\n{exc}", file=sys.stderr)
            status = 1
            continue
        if not args.check:
            nbformat.write(nb, path)
        print(f"{path}: ran in {time.perf_counter() - t0:.0f} s{'' if args.check else ', saved'}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
