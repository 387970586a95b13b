"""The shape of the code: no module imports one that imports it back, and data flows one way.

handlers -> services in bot/ -> storage; only the wiring (bot/app.py, and the CLI and demo that start it)
knows the handlers. Every import counts, at the top of a module, inside a function or under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("bot", "handlers", "storage")
# The application's plumbing that may know every layer: it builds and starts the bot.
WIRING = {"bot.app", "bot.cli", "bot.demo", "bot.__main__"}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported(module: str, path: Path) -> Iterator[str]:
    """Every module of ours that `module` imports, by its full name."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from bot.reminders import service` imports the module bot.reminders.service.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names
            ]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                yield name


GRAPH = {module: set(_imported(module, path)) for module, path in MODULES.items()}


def _external(module: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _circles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(GRAPH[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return groups


def test_the_import_graph_sees_the_known_edges() -> None:
    assert "bot.reminders.service" in GRAPH["bot.app"]
    assert "storage.db" in GRAPH["storage.partnerships"]
    assert "handlers.person" in GRAPH["handlers.contacts"]


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert _circles() == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("storage")))
def test_storage_knows_neither_telegram_nor_the_layers_above(module: str) -> None:
    assert "telegram" not in _external(module)
    assert not {m for m in GRAPH[module] if not m.startswith("storage")}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("bot") and m not in WIRING))
def test_services_do_not_import_handlers(module: str) -> None:
    assert not {m for m in GRAPH[module] if m.startswith("handlers")}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("bot.sandbox")))
def test_the_sandbox_stands_alone(module: str) -> None:
    """The offline server knows nothing of the bot it serves."""
    assert not {m for m in GRAPH[module] if not m.startswith("bot.sandbox")}
