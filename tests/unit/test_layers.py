"""The layers of zhike/__init__.py hold: every import of zhike and actions points down."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ("zhike.channels", "zhike.nlu", "zhike.dialogue", "zhike.tracker_store")
# The in-process adapter of the backend client runs the reference backend's services.
BACKEND_ADAPTER = ("zhike.lib.backend_client.fake", "zhike.lib.backend_client.fake_support")


def backend_adapter(module: str) -> bool:
    """The in-process adapter: ``fake``, ``fake_support`` and each capability's ``local``."""
    return module in BACKEND_ADAPTER or (
        module.startswith("zhike.lib.backend_client.") and module.endswith(".local")
    )


def layer(module: str) -> str | None:
    """The layer of a module of zhike or actions (``None``: outside the project)."""
    if module == "actions" or module.startswith("actions."):
        return "actions"
    if module == "zhike.analytics" or module.startswith("zhike.analytics."):
        return "lib"  # the analytics pipeline: a library with its own consumer process
    if module.startswith(PLUGINS):
        return "plugins"
    if module == "zhike.kb" or module.startswith("zhike.kb."):
        return "tools"  # the knowledge-base CLI, python -m zhike.kb
    if module == "zhike.tags" or module.startswith("zhike.tags."):
        return "tools"  # the customer-tags CLI, python -m zhike.tags
    if module == "zhike.qa" or module.startswith("zhike.qa."):
        return "tools"  # the quality-inspection CLI, python -m zhike.qa
    for name in ("common", "lib", "servers", "tools"):
        if module.startswith(f"zhike.{name}.") or module == f"zhike.{name}":
            return name
    return "root" if module == "zhike" else ("unknown" if module.startswith("zhike") else None)


ALLOWED = {
    "common": {"common"},
    "lib": {"common", "lib"},
    "plugins": {"common", "lib", "plugins"},
    "actions": {"common", "lib", "actions"},
    "servers": {"common", "lib", "servers"},
    "tools": {"common", "lib", "plugins", "actions", "servers", "tools"},
}


def package(module: str, depth: int) -> str:
    return ".".join(module.split(".")[:depth])


def modules() -> Iterator[tuple[str, Path]]:
    for base in ("zhike", "actions"):
        for path in sorted((ROOT / base).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def problem(module: str, target: str) -> str | None:
    """Why ``module`` may not import ``target`` (``None``: it may)."""
    source, kind = layer(module), layer(target)
    if kind is None or package(target, 3) == package(module, 3) or source == "tools":
        return None
    if target.startswith("zhike.servers.backend"):
        allowed = backend_adapter(module) or module.startswith("zhike.servers.backend")
        return None if allowed else "only the backend client's in-process adapter"
    if module.startswith("zhike.servers.backend") and kind not in ("common", "servers"):
        return "the reference backend imports only the shared floor"
    if source == "servers" and kind == "servers":
        serving = target.startswith("zhike.servers.serving")
        return None if serving else "servers import no other server but serving"
    if source == "plugins" and kind == "plugins" and package(target, 2) != package(module, 2):
        return "plug-ins do not import each other"
    if kind not in ALLOWED.get(source or "", set()):
        return f"{source} may not import {kind}"
    return None


def violations(graph: dict[str, list[str]]) -> list[str]:
    found = []
    for module, targets in graph.items():
        if layer(module) in ("unknown", "root") and module != "zhike":
            found.append(f"{module}: in no layer (put it in common, lib, servers or tools)")
        found += [f"{module} -> {t}: {problem(module, t)}" for t in targets if problem(module, t)]
    return found


def test_every_import_points_down_the_layers() -> None:
    graph = {module: list(imports(path)) for module, path in modules()}
    assert len(graph) > 150
    assert violations(graph) == []


def test_wrong_arrows_are_reported() -> None:
    wrong = {
        "zhike.lib.handoff.service": ["zhike.servers.desk.app", "zhike.channels.rest"],
        "zhike.servers.desk.app": ["zhike.servers.backend.db", "zhike.tools.stack"],
        "zhike.common.ids": ["zhike.lib.identity"],
        "zhike.channels.rest": ["zhike.dialogue.escalation"],
        "actions.orders": ["zhike.channels.limits"],
        "zhike.servers.backend.app": ["zhike.lib.handoff"],
        "zhike.newthing": [],
        "zhike.lib.kb.service": ["zhike.kb.cli"],
        "zhike.analytics.report": ["zhike.servers.desk.labels"],
    }
    assert len(violations(wrong)) == 11
    fine = {
        "zhike.lib.backend_client.fake": ["zhike.servers.backend.db"],
        "zhike.servers.desk.app": ["zhike.servers.serving", "zhike.lib.handoff"],
        "zhike.tools.launch": ["zhike.servers.action_server"],
        "zhike.kb.cli": ["zhike.lib.kb.service", "zhike.tools.stack"],
        "actions.handoff": ["zhike.lib.handoff", "zhike.common.handoff_names"],
        "zhike.servers.desk.analytics_api": ["zhike.analytics.report"],
        "zhike.analytics.handoffs": ["zhike.lib.handoff.models", "zhike.common.privacy"],
    }
    assert violations(fine) == []
