"""The kit's layering: which part of `kit` may import which.

Bottom to top (a layer may import the layers below it and itself, nothing else):

    0  core         kit (the package), kit.errors, kit.fileio, kit.project and every other
                    top-level module of `kit` not named below: plain helpers
    1  scoring      kit.scoring: the maths (scoring rules, calibration, markets), on arrays
    1  init         kit.init: the templates of `kit init` and `kit new-question` (package
                    data); a peer of scoring, importing only the core
    2  questions    kit.questions: the question kinds (forecast and question models, what
                    an outcome may be, which scores apply), built on scoring
    3  predictions  kit.predictions: question sets in YAML, the seal ledger, resolutions
    4  runs         kit.runs: executing notebooks, run records, resolving rules on runs
    4  assess       kit.assess: the score table and the markets over the registry's
                    forecasts; a peer of runs (neither imports the other)
    5  workspace    kit.workspace: one project's predictions, runs and outcomes together
    6  report       kit.report: the calibration report (a view)
    7  ui, cli      kit.ui (the JupyterLab widgets) and kit.cli (the `kit` command, with
                    kit.__main__): views side by side; neither imports the other
    7  maze         kit.maze: a laboratory used by the maze notebooks; nothing in the kit
                    imports it

Layers on the same level (runs and assess; ui, cli and maze) are peers: none imports
another. Every import statement counts, wherever it is (module level, inside functions,
under `if TYPE_CHECKING:`; the last are marked "type-checking only" in the messages), and
so does `importlib.import_module("kit....")` with a literal name. A new subpackage must be
placed in LAYERS before the test passes.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT / "kit"

#: Layer name -> level, bottom (0) to top. Same level, different layer: peers.
LAYERS: dict[str, int] = {
    "core": 0,
    "scoring": 1,
    "init": 1,
    "questions": 2,
    "predictions": 3,
    "runs": 4,
    "assess": 4,
    "workspace": 5,
    "report": 6,
    "ui": 7,
    "cli": 7,
    "maze": 7,
}

#: Top-level modules of `kit` that belong to a layer other than core.
TOP_LEVEL_MODULES = {"kit.__main__": "cli", "kit.workspace": "workspace"}


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported kit module
    where: str  # file:line
    type_only: bool

    def describe(self) -> str:
        note = " (type-checking only)" if self.type_only else ""
        return f"{self.where}: {self.source} imports {self.target}{note}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def kit_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(KIT.rglob("*.py")) if "__pycache__" not in p.parts}


def layer_of(module: str) -> str | None:
    """The layer of a kit module, or None for a subpackage LAYERS does not place."""
    parts = module.split(".")
    if len(parts) == 1:
        return "core"
    top = ".".join(parts[:2])
    if top in TOP_LEVEL_MODULES:
        return TOP_LEVEL_MODULES[top]
    if (KIT / parts[1]).is_dir():
        return parts[1] if parts[1] in LAYERS else None
    return "core"  # a top-level module: kit.errors, kit.fileio, kit.project, ...


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(target: str, modules: dict[str, Path]) -> str:
    """The longest prefix of `target` that is a kit module (`from kit.x import name`)."""
    parts = target.split(".")
    while len(parts) > 1 and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts)


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Edge]:
    """Every kit module that `module` imports, with where and whether only for typing."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    rel = path.relative_to(ROOT)
    edges: list[Edge] = []

    def add(target: str, node: ast.AST, type_only: bool) -> None:
        if target == "kit" or target.startswith("kit."):
            edges.append(Edge(module, _resolve(target, modules), f"{rel}:{node.lineno}", type_only))

    def visit(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_only)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node, type_only)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            for alias in node.names:  # `from kit import scoring` imports kit.scoring
                name = f"{stem}.{alias.name}"
                add(name if name in modules else stem, node, type_only)
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id == "import_module")
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            add(node.args[0].value, node, type_only)
        for child in ast.iter_child_nodes(node):
            visit(child, type_only)

    visit(tree, False)
    return list(dict.fromkeys(edges))  # one edge per statement, not per imported name


def all_edges() -> list[Edge]:
    modules = kit_modules()
    return [e for m, p in modules.items() for e in imports_of(m, p, modules)]


def test_every_subpackage_has_a_place_in_the_layering():
    unplaced = sorted({m for m in kit_modules() if layer_of(m) is None})
    assert not unplaced, (
        "these modules belong to a subpackage that tests/test_layers.py's LAYERS does not "
        "place; add it there (and to the docstring's order):\n  " + "\n  ".join(unplaced)
    )


def test_imports_follow_the_layering():
    """A layer imports only layers below it (and itself); peers import nothing of each other."""
    bad: list[str] = []
    for e in all_edges():
        src, dst = layer_of(e.source), layer_of(e.target)
        if src is None or dst is None or src == dst:
            continue
        if LAYERS[dst] > LAYERS[src]:
            bad.append(f"{e.describe()}  [{src} may not import {dst}: {dst} is above it]")
        elif LAYERS[dst] == LAYERS[src]:
            bad.append(f"{e.describe()}  [{src} may not import {dst}: they are peers]")
    assert not bad, (
        f"{len(bad)} import(s) break the layering (core < scoring < questions < predictions "
        "< runs | assess < workspace < report < ui | cli | maze; see tests/test_layers.py):\n  "
        + "\n  ".join(bad)
    )


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_no_import_cycle_between_subpackages():
    edges = [
        (layer_of(e.source), layer_of(e.target), e)
        for e in all_edges()
        if layer_of(e.source) and layer_of(e.target) and layer_of(e.source) != layer_of(e.target)
    ]
    graph: dict[str, set[str]] = {}
    for src, dst, _ in edges:
        graph.setdefault(src, set()).add(dst)
    problems = []
    for component in _cycles(graph):
        members = set(component)
        lines = [e.describe() for src, dst, e in edges if src in members and dst in members]
        problems.append(
            f"cycle between {', '.join(component)}, through:\n    " + "\n    ".join(lines)
        )
    assert not problems, "import cycles between parts of kit:\n  " + "\n  ".join(problems)


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_importing_scoring_imports_nothing_above_it():
    """`import kit.scoring`, then each of its modules: none of runs, assess, workspace,
    report, ui, cli or maze is loaded (kit.scoring is the maths, at the bottom)."""
    done = _python(
        """
        import importlib, json, pkgutil, sys
        def kit_now():
            return {m for m in sys.modules if m == "kit" or m.startswith("kit.")}
        before = kit_now()
        import kit.scoring
        pulled = {"kit.scoring": sorted(kit_now() - before)}
        for info in pkgutil.walk_packages(kit.scoring.__path__, "kit.scoring."):
            before = kit_now()
            importlib.import_module(info.name)
            pulled[info.name] = sorted(kit_now() - before)
        print(json.dumps(pulled))
        """
    )
    assert done.returncode == 0, done.stderr
    pulled = json.loads(done.stdout)
    above = {"runs", "assess", "workspace", "report", "ui", "cli", "maze"}
    bad = {
        name: [m for m in mods if set(m.split(".")[1:2]) & above] for name, mods in pulled.items()
    }
    bad = {name: mods for name, mods in bad.items() if mods}
    assert not bad, "importing kit.scoring loads modules above it:\n  " + "\n  ".join(
        f"import {name} loads {', '.join(mods)}" for name, mods in bad.items()
    )


HEAVY = ("pydantic", "torch", "papermill", "altair", "numpy")


def _heavy_loaded(code: str) -> dict:
    done = _python(
        f"""
        import json, sys
        {code}
        heavy = {HEAVY!r}
        print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
        """
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_kit_help_imports_no_heavy_library():
    loaded = _heavy_loaded(
        """
        from kit.cli import main
        try:
            main(["--help"])
        except SystemExit as e:
            assert e.code == 0, e.code
        """
    )
    assert not loaded, f"`kit --help` imports {', '.join(loaded)} (none of {HEAVY} should load)"


def test_import_kit_imports_no_heavy_library():
    loaded = _heavy_loaded("import kit")
    assert not loaded, f"`import kit` imports {', '.join(loaded)} (none of {HEAVY} should load)"


def test_no_subcommand_help_imports_a_heavy_library():
    done = _python(
        f"""
        import json, subprocess, sys
        from kit.cli import cli
        found = {{}}
        for name in sorted(cli.commands):
            code = (
                "import json, sys\\n"
                "from kit.cli import main\\n"
                "try:\\n"
                f"    main([{{name!r}}, '--help'])\\n"
                "except SystemExit as e:\\n"
                "    assert e.code == 0, e.code\\n"
                "print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\\n"
            )
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            assert out.returncode == 0, (name, out.stderr)
            found[name] = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(found))
        """
    )
    assert done.returncode == 0, done.stderr
    found = {name: mods for name, mods in json.loads(done.stdout).items() if mods}
    assert not found, "`kit COMMAND --help` imports heavy libraries:\n  " + "\n  ".join(
        f"kit {name} --help: {', '.join(mods)}" for name, mods in found.items()
    )
