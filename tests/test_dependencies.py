"""Dependency hygiene (issue 17, part 5): pyproject's runtime ``dependencies`` are exactly what the packages
import. Every runtime dependency is imported somewhere in corpus/, annotation/, classifier/; everything they
import at module level is a runtime dependency; what they import only inside a function is a runtime
dependency or belongs to an optional extra (dask, serve, embeddings)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions

import pytest

from .conftest import ROOT

PACKAGES = ("corpus", "annotation", "classifier")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _dist_name(requirement: str) -> str:
    """``scikit-learn>=1.8,<1.10`` -> ``scikit-learn`` (normalised: lower case, ``_``/``.`` -> ``-``)."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group(0)).lower()


def _imports() -> dict[str, dict[str, list[str]]]:
    """{top-level import name: {"top": [where], "lazy": [where]}} over the three packages' modules."""
    found: dict[str, dict[str, list[str]]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            top_level = {id(node) for node in tree.body}
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                where = f"{path.relative_to(ROOT).as_posix()}:{node.lineno}"
                for name in names:
                    entry = found.setdefault(name.split(".")[0], {"top": [], "lazy": []})
                    entry["top" if id(node) in top_level else "lazy"].append(where)
    return found


IMPORTS = _imports()
THIRD_PARTY = {name: where for name, where in IMPORTS.items()
               if name not in sys.stdlib_module_names and name not in PACKAGES and name != "__future__"}


@cache
def _installed() -> dict[str, list[str]]:
    return packages_distributions()  # {import name: [distributions]}; scanning them all is slow, so once


def _dists(import_name: str) -> set[str]:
    return {_dist_name(d) for d in _installed().get(import_name, [])}


def _requirements(*groups: str) -> set[str]:
    reqs = list(PYPROJECT["project"]["dependencies"]) if "runtime" in groups else []
    for group in groups:
        reqs += PYPROJECT["project"]["optional-dependencies"].get(group, [])
    return {_dist_name(r) for r in reqs}


@pytest.mark.parametrize("requirement", PYPROJECT["project"]["dependencies"])
def test_every_runtime_dependency_is_imported_by_the_packages(requirement):
    dist = _dist_name(requirement)
    importers = sorted(name for name in THIRD_PARTY if dist in _dists(name))
    assert importers, (f"{requirement} is in pyproject's dependencies but corpus/, annotation/ and classifier/ never "
                       f"import it: move it to the extra that needs it (e.g. bench), or drop it.")


def test_every_module_level_import_is_a_runtime_dependency():
    runtime = _requirements("runtime")
    missing = {name: where["top"][:3] for name, where in THIRD_PARTY.items()
               if where["top"] and not _dists(name) & runtime}
    assert missing == {}, "imported at module level but not in pyproject's dependencies (name: where)"


def test_every_import_inside_a_function_is_a_runtime_dependency_or_in_an_optional_extra():
    allowed = _requirements("runtime", "dask", "serve", "embeddings")
    missing = {name: where["lazy"][:3] for name, where in THIRD_PARTY.items()
               if where["lazy"] and not _dists(name) & allowed}
    assert missing == {}, "imported but neither a dependency nor in the dask, serve or embeddings extra (name: where)"


def test_iterative_stratification_is_a_bench_extra_not_a_runtime_dependency():
    assert "iterative-stratification" not in _requirements("runtime")
    assert "iterative-stratification" in _requirements("bench")
    assert "iterative-stratification" in _requirements("dev")  # the benchmarks run in the dev venv
