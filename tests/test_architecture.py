"""The shape of the house, checked: the domain imports no framework, nothing imports in a circle,
topics meet only through their public faces, and no module outgrows a small room."""

from __future__ import annotations

import ast
import importlib
import re
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("workflow", "api", "web", "tasks", "cli")
FRAMEWORKS = ("fastapi", "starlette", "celery", "kombu")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    module_name(path): path
    for package in PACKAGES
    for path in sorted((REPO / package).rglob("*.py"))
    if "__pycache__" not in path.parts
}


def imports_of(path: Path) -> list[tuple[str, list[str], int]]:
    """(module imported from, names, line) for every import, type-only and deferred ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names], node.lineno))
    return found


def resolve(module: str, names: list[str]) -> set[str]:
    """The project modules an import loads: the module, and names that are submodules of it."""
    targets = {module} if module in MODULES else set()
    targets |= {f"{module}.{name}" for name in names if f"{module}.{name}" in MODULES}
    return targets


def topic(module: str) -> str | None:
    """``workflow.<topic>`` for modules inside a topic subpackage, else None."""
    parts = module.split(".")
    if parts[0] == "workflow" and len(parts) >= 2 and (REPO / "workflow" / parts[1] / "__init__.py").exists():
        return f"workflow.{parts[1]}"
    return None


def test_the_domain_imports_no_web_or_task_framework():
    offenders = [
        f"{name}:{line} imports {imported}"
        for name, path in MODULES.items()
        if name.startswith("workflow")
        for imported, _, line in imports_of(path)
        if imported.split(".")[0] in FRAMEWORKS
    ]
    assert offenders == []


def test_no_import_cycle():
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in MODULES.items():
        for imported, names, _ in imports_of(path):
            graph[name] |= resolve(imported, names) - {name}
    cycles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for start in sorted(MODULES):
        if start not in state:
            visit(start, [start])
    assert cycles == []


def test_topics_meet_only_through_their_public_faces():
    offenders = []
    for name, path in MODULES.items():
        own = topic(name)
        for imported, names, line in imports_of(path):
            other = topic(imported)
            if other is None or other == own:
                continue
            if imported != other:
                offenders.append(f"{name}:{line} reaches into {imported}")
                continue
            public = set(importlib.import_module(other).__all__)
            offenders += [
                f"{name}:{line} imports {n} from {other}, not in its __all__" for n in names if n not in public
            ]
    assert offenders == []


@pytest.mark.parametrize("package", sorted({t for t in map(topic, MODULES) if t}))
def test_every_topic_says_what_it_owns_and_what_others_may_use(package):
    module = importlib.import_module(package)
    assert (module.__doc__ or "").strip() and "TODO" not in module.__doc__
    assert module.__all__, f"{package} has no __all__"
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []


def test_no_module_outgrows_a_small_room():
    large = {
        name: lines
        for name, path in MODULES.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert large == {}


def test_the_readme_names_every_topic_and_only_real_ones():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Where things live") :].split("\n## ", 1)[0]
    named = set(re.findall(r"`workflow/([a-z_]+)/`", section))
    topics = {path.parent.name for path in (REPO / "workflow").glob("*/__init__.py")}
    assert named == topics
    for path in re.findall(r"`(workflow/[a-z_/]+\.py)`", readme):
        assert (REPO / path).is_file(), f"the README names {path}, which does not exist"


ADAPTERS = ("api", "web", "tasks", "cli")
COMPOSITION_ROOTS = {"api.app": {"web"}}  # the API application mounts the console


def test_adapters_do_not_lean_on_each_other():
    """Each adapter calls the domain; a rule one needs from another belongs in workflow/."""
    leaning = []
    for module, path in MODULES.items():
        own = module.split(".")[0]
        if own not in ADAPTERS or own == "cli":
            continue
        for imported, _names, line in imports_of(path):
            other = imported.split(".")[0]
            if other in ADAPTERS and other != own and other not in COMPOSITION_ROOTS.get(module, set()):
                leaning.append(f"{module}:{line} imports {imported}")
    assert not leaning, leaning
