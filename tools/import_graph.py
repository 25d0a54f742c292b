"""Draw which module of corpus/, annotation/ and classifier/ imports which, as a Mermaid diagram, into
docs/architecture.md (between the ``import-graph`` markers).

Run: ``.venv/bin/python tools/import_graph.py`` (rewrites the diagram) or ``--check`` (exit 1 when the
committed diagram differs from the code; tests/test_docs.py runs the check).

Every ``import`` and ``from ... import`` of the three packages counts, lazy ones inside functions too.
An import of a package itself (``from corpus import Article``) is drawn to the package's ``__init__``,
the public face that re-exports its modules.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("corpus", "annotation", "classifier")
DOC = ROOT / "docs" / "architecture.md"
START, END = "<!-- import-graph:start -->", "<!-- import-graph:end -->"


def modules() -> dict[str, Path]:
    """``{dotted module name: file}`` of every module of the packages."""
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts)] = path
    return out


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module a dotted import name refers to: itself, its package's ``__init__``, or the longest known prefix."""
    while name:
        if name in known:
            return name
        if f"{name}.__init__" in known:
            return f"{name}.__init__"
        name = name.rpartition(".")[0]
    return None


def edges() -> list[tuple[str, str]]:
    """Sorted ``(importer, imported)`` pairs between modules of the packages."""
    known = modules()
    found = set()
    for mod, path in known.items():
        package = mod.rsplit(".", 1)[0] if not mod.endswith(".__init__") else mod[: -len(".__init__")]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                # `from . import x` / `from corpus import datasets` may name modules
                targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in known or f"{stem}.{a.name}.__init__" in known
                           else stem for a in node.names]
            for t in targets:
                if t.split(".")[0] not in PACKAGES:
                    continue
                target = _resolve(t, known)
                if target and target != mod:
                    found.add((mod, target))
    return sorted(found)


def _node(mod: str) -> str:
    return mod.replace(".", "_")


def _label(mod: str) -> str:
    parts = mod.split(".")
    return "/".join(parts[1:]) if len(parts) > 1 else parts[0]


def mermaid() -> str:
    """The diagram: one box per package (sub-packages nested), arrows from importer to imported."""
    known = modules()
    lines = ["```mermaid", "flowchart LR"]
    for pkg in PACKAGES:
        lines.append(f"  subgraph {pkg}")
        for mod in known:
            if mod.split(".")[0] == pkg:
                lines.append(f"    {_node(mod)}[\"{_label(mod)}\"]")
        lines.append("  end")
    for a, b in edges():
        style = "-->" if a.split(".")[0] == b.split(".")[0] else "==>"
        lines.append(f"  {_node(a)} {style} {_node(b)}")
    lines.append("```")
    return "\n".join(lines) + "\n"


def rendered(text: str) -> str:
    """``text`` (docs/architecture.md) with the diagram between the markers replaced by the current one."""
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{mermaid()}{END}{tail}"


def main(argv: list[str]) -> int:
    text = DOC.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"{DOC}: no {START} ... {END} markers to put the diagram between.", file=sys.stderr)
        return 2
    new = rendered(text)
    if "--check" in argv:
        if new != text:
            print(f"{DOC}: the import graph is out of date; run `.venv/bin/python tools/import_graph.py`.",
                  file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
