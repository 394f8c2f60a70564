"""The package's layout: folders by concern, short modules, imports that point one way.

A folder of `src/reportback/` holds one concern (see docs/how-it-works.md, "The map"). The
modules at the top are the base every folder may use; they use no folder (but `cli.py`, which
dispatches to all). Between folders, imports point one way: no cycle, however long.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections import defaultdict
from pathlib import Path

import reportback

PACKAGE = Path(reportback.__file__).parent
ENTRY = "cli"
"""The one top-level module allowed to import the folders: it dispatches the commands."""


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _imported(path: Path) -> set[str]:
    """Every reportback module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    tree = ast.parse(path.read_text("utf-8"))
    for block in ast.walk(tree):  # names for annotations only: no import when the code runs
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING":
            block.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "reportback":
                found |= {f"reportback.{a.name}" for a in node.names}
            elif node.module.startswith("reportback."):
                found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; write reportback.… in full")
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("reportback.")}
    return found


def _unit(dotted: str) -> str:
    """The folder a module lives in, or its own name if it lives at the top."""
    return dotted.split(".")[1]


def _edges() -> dict[str, dict[str, str]]:
    """Folder (or top module) → folder (or top module) it imports → one module that does."""
    edges: dict[str, dict[str, str]] = defaultdict(dict)
    for path in _modules():
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        unit = parts[0]
        for target in _imported(path):
            other = _unit(target)
            if other != unit and other != "__version__":
                edges[unit].setdefault(other, "/".join(parts) + " → " + target)
    return edges


def _folders() -> set[str]:
    return {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}


def test_the_package_is_folders_by_concern_with_few_modules_at_the_top() -> None:
    folders = _folders()
    top = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    assert len(folders) >= 4, folders
    assert len(top) <= 8, top
    for folder in folders:
        init = PACKAGE / folder / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text())), f"{folder}/ says what it holds"


def test_no_module_is_longer_than_400_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if (n := len(p.read_text("utf-8").splitlines())) > 400
    }
    assert long == {}


def test_the_top_modules_import_no_folder() -> None:
    folders = _folders()
    wrong = [
        why
        for unit, targets in _edges().items()
        if unit not in folders and unit != ENTRY
        for other, why in targets.items()
        if other in folders
    ]
    assert wrong == []


def test_imports_between_folders_point_one_way() -> None:
    folders = _folders()
    graph = {
        unit: {o: why for o, why in targets.items() if o in folders}
        for unit, targets in _edges().items()
        if unit in folders
    }
    cycle = _cycle(graph)
    assert cycle is None, "imports go round: " + "; ".join(cycle or [])


def _cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    """Return the imports of one cycle among the folders, or None."""
    state: dict[str, int] = {}  # 1 on the path being walked, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for other in sorted(graph.get(node, {})):
            if state.get(other) == 1:
                loop = [*path[path.index(other) :], other]
                return [graph[a][b] for a, b in itertools.pairwise(loop)]
            if other not in state and (found := visit(other)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_only_the_subscriber_store_writes_subscribers_and_suppressed() -> None:
    write = re.compile(r"(?:INSERT(?: OR \w+)? INTO|UPDATE|DELETE FROM) (subscribers|suppressed)\b")
    writers = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if write.search(path.read_text(encoding="utf-8"))
    }
    assert writers == {"mail/subscribers.py", "database.py"}  # database.py: the migrations
