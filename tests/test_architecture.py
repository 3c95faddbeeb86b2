"""The tree keeps its shape: each folder of ``pipeline/`` is a stage, and imports run down the stages.

Read from the source with ``ast`` (nothing is imported), so an upward import or a cycle fails
here before it can tangle the stages again. ARCHITECTURE.md explains the order.
"""

from __future__ import annotations

import ast
from pathlib import Path

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"

#: Stages from the bottom up. A module may import its own stage and any stage below it; stages
#: on the same rank are siblings that know nothing of each other.
RANKS: dict[str, int] = {
    # shared foundations: the model, problems, events, files, clock, the styles folder
    "model": 0, "diagnostics": 0, "events": 0, "files": 0, "clock": 0, "hashing": 0, "pages": 0,
    "styles": 0, "words": 0, "forked": 0, "crash": 0, "colour": 0, "session": 0, "fonts": 0,
    "load": 1,
    "transforms": 2,
    "checks": 3,
    "render": 4,
    "engine": 5, "epub": 5, "web": 5,
    "layout": 6,
    "bind": 7,
    "proof": 8, "prepress": 8,
    "build": 9, "skeleton": 9, "licences": 9, "intake": 9,
    "copies": 10,
    "catalogue": 11,
    "progress": 12, "cli": 13, "__main__": 14,
}
#: Within the foundations, the order their modules may import each other in.
FOUNDATIONS = ["model", "colour", "pages", "clock", "hashing", "files", "forked", "crash", "events", "styles", "fonts", "words",
               "diagnostics", "session"]
#: The only stage that may import the layout engine (and its own libraries).
ENGINE_MODULES = {"weasyprint", "pydyf", "tinycss2"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PIPELINE.rglob("*.py")):
        parts = path.relative_to(PIPELINE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _stage(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_every_module_belongs_to_a_stage():
    unknown = sorted({_stage(m) for m in _modules() if m != "pipeline" and _stage(m) not in RANKS})
    assert not unknown, f"stages without a rank in this test (and ARCHITECTURE.md): {unknown}"


def test_imports_point_down_the_stages():
    modules = _modules()
    upward = []
    for name, path in modules.items():
        here = _stage(name)
        for target in _imports(path):
            if not target.startswith("pipeline.") or target not in modules:
                continue
            there = _stage(target)
            if here == there or not here:
                continue
            if RANKS[there] > RANKS[here] or (RANKS[there] == RANKS[here] and RANKS[here] != 0):
                upward.append(f"{name} imports {target}")
            elif RANKS[here] == RANKS[there] == 0 and FOUNDATIONS.index(there) > FOUNDATIONS.index(here):
                upward.append(f"{name} imports {target}")
    assert not upward, "imports against the stages:\n" + "\n".join(upward)


def test_no_import_cycles_between_modules():
    modules = _modules()
    graph = {name: {t for t in _imports(path) if t in modules and t != name} for name, path in modules.items()}
    # a package's __init__ importing its own modules is how a package presents itself, not a cycle
    graph = {name: {t for t in targets if not t.startswith(name + ".")} for name, targets in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]) if target in trail else f"{node} -> {target}")
            elif target not in state:
                visit(target, trail + [target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


#: Outside the engine, modules that may use one of its libraries, and which: the EPUB reads the
#: book's CSS with tinycss2 (a CSS parser, no layout) to leave out what an EPUB cannot carry.
ENGINE_LIBRARIES_ELSEWHERE = {"pipeline.epub.css": {"tinycss2"}}


def test_only_the_engine_touches_weasyprint():
    outside = [f"{name} imports {target}" for name, path in _modules().items() if _stage(name) != "engine"
               for target in _imports(path) if target.split(".")[0] in ENGINE_MODULES
               and target.split(".")[0] not in ENGINE_LIBRARIES_ELSEWHERE.get(name, set())]
    assert not outside, "\n".join(outside)


def test_private_engine_api_is_read_in_one_module():
    readers = sorted(str(path.relative_to(PIPELINE)) for path in PIPELINE.rglob("*.py")
                     if "_page_box" in path.read_text(encoding="utf-8").replace("``page._page_box``", "")
                     and path.name != "boxes.py")
    assert not readers, f"WeasyPrint's private page boxes read outside engine/boxes.py: {readers}"
