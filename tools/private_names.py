"""An import-linter contract: no app imports another app's private names.

Layers say which app may import which; this says what it may take: a name that starts with
"_" is private to the app that defines it, whether imported (`from kefu.web.x import _act`) or
reached through a module (`desk_views._ticket_context`). Public seams have public names.
Configured in .importlinter; run by `make lint` (lint-imports)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _app(module: str, depth: int) -> str:
    return ".".join(module.split(".")[:depth])


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _source(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def violations(module: str, path: Path, root: str, depth: int) -> list[str]:
    """Private names of other apps that ``module`` (at ``path``) imports or reaches."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    own = _app(module, depth)
    other_modules: dict[str, str] = {}  # local name → module of another app
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(module, node, path.name == "__init__.py")
            if not source.startswith(root + ".") or _app(source, depth) == own:
                continue
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{module}:{node.lineno} imports {source}.{alias.name}")
                else:
                    other_modules[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(root + ".") and _app(alias.name, depth) != own:
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append(f"{module}:{node.lineno} imports {alias.name}")
                    if alias.asname:
                        other_modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in other_modules
            and _private(node.attr)
        ):
            found.append(f"{module}:{node.lineno} uses {other_modules[node.value.id]}.{node.attr}")
    return found


class PrivateNamesContract(Contract):
    """Options: ``root`` (the package whose apps are checked, e.g. kefu) and ``app_depth``
    (how many name parts make an app: 2 for kefu.tickets)."""

    type_name = "private_names"
    root = fields.StringField()
    app_depth = fields.IntegerField(default=2)

    def check(self, graph, verbose: bool) -> ContractCheck:
        root, depth = str(self.root), int(self.app_depth)  # type: ignore[arg-type]
        found = []
        for module in sorted(graph.modules):
            if not module.startswith(root + ".") or ".migrations." in module:
                continue
            path = _source(module)
            if path is not None:
                found += violations(module, path, root, depth)
        return ContractCheck(kept=not found, warnings=None, metadata={"violations": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["violations"]:
            output.print_error(line, bold=False)
            output.new_line()
        output.print("Make the name public (and part of the app's seam), or call a public one.")
