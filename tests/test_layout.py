"""The package's folders are its architecture: each layer imports only from the layers below it.

Read from the imports themselves (every `import` and `from ... import`, at module level or inside a
function), so a new module that reaches upward, or two modules that need each other, fail here.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Floors, lowest first. A room may import from its own floor's room and from any lower floor.
FLOORS = [
    ["expert.facts", "expert.errors"],
    ["expert.rules", "expert.util"],
    ["expert.engine"],
    ["expert.explain"],
    ["expert.kb", "expert.audit", "expert.console"],
    ["expert.commands"],
    ["expert.cli"],  # with expert/__main__.py, which only calls it
    ["expert"],  # expert/__init__.py: the public surface, which nothing inside imports
]
FLOOR = {room: level for level, rooms in enumerate(FLOORS) for room in rooms}


def module_files():
    """(module name, path) for every module of the installed package, facts/ and rules/ included."""
    for top, prefix in (("expert", "expert"), ("facts", "expert.facts"), ("rules", "expert.rules")):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT / top).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join([prefix, *parts]), path


def room_of(module: str) -> str:
    """The room a module lives in: its subpackage of expert, or a top-level module such as expert.cli."""
    if module == "expert":
        return "expert"
    if module == "expert.__main__":
        return "expert.cli"
    parts = module.split(".")
    return ".".join(parts[:2])


def imports_of(module: str, path: Path) -> set[str]:
    """The expert modules a module imports, resolved to full names."""
    found = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "expert")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name.split(".")[0] != "expert":
                continue
            found.add(name)
            # `from expert.console import text` imports the module expert.console.text
            for alias in node.names:
                candidate = f"{name}.{alias.name}"
                if any(candidate == other for other, _ in MODULES):
                    found.add(candidate)
    return found


MODULES = list(module_files())
MODULE_NAMES = {name for name, _ in MODULES}


def test_every_module_lives_in_a_known_room():
    unknown = sorted(name for name in MODULE_NAMES if room_of(name) not in FLOOR)
    assert unknown == [], f"modules outside the drawn layout: {unknown}"


@pytest.mark.parametrize("module,path", MODULES, ids=[name for name, _ in MODULES])
def test_no_import_runs_upward(module, path):
    here = FLOOR[room_of(module)]
    upward = []
    for imported in sorted(imports_of(module, path)):
        room = room_of(imported)
        if room == room_of(module):
            continue
        if FLOOR[room] >= here:
            upward.append(f"{imported} (floor {FLOOR[room]}, this is floor {here})")
    assert upward == [], f"{module} imports from its own floor or above: {upward}"


def test_no_two_modules_import_each_other_in_a_cycle():
    graph = {name: {i for i in imports_of(name, path) if i in MODULE_NAMES and i != name} for name, path in MODULES}
    # A package's __init__ is implied by importing its modules; leave that edge out, it is not a cycle.
    for name in graph:
        graph[name] = {i for i in graph[name] if not name.startswith(i + ".")}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, stack: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle.extend(stack[stack.index(nxt):] + [node, nxt] if nxt in stack else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, stack + [node]):
                return True
        state[node] = 2
        return False

    for name in sorted(graph):
        if state.get(name) is None and visit(name, []):
            break
    assert cycle == [], f"import cycle: {' -> '.join(cycle)}"


def test_the_drawing_has_the_rooms_and_floors_the_readme_names():
    rooms = {room_of(name) for name in MODULE_NAMES}
    used_floors = {FLOOR[room] for room in rooms}
    readme = (ROOT / "README.md").read_text()
    assert f"{len(rooms)} rooms on {len(used_floors)} floors" in readme
