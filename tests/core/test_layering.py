"""The layers (issue 8, conventions.md): core ← audit ← accounts ← parks ← tenants ←
subsidies ← reports. An app imports only from itself and the apps below it, never from one
above, not even lazily inside a function; ``core`` imports none of our apps (the project package
``stp_portal`` included). Imports under ``if TYPE_CHECKING:`` are annotations only and are
not counted.

Read from the source with ``ast``, so an import in a function that no test calls counts too.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["core", "audit", "accounts", "parks", "tenants", "returns", "subsidies", "reports"]
OURS = {*LAYERS, "stp_portal"}
LOADERS = {"import_module", "import_string"}  # a dotted path in a string is an import too


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, imported module) for every import in ``source``: at module level, in
    functions and classes, in try/except; not under ``if TYPE_CHECKING:``."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, _absolute(node, module, is_package)))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in LOADERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def violations(layers: list[str] = LAYERS) -> list[str]:
    """Every import of one of our apps above the importing module's own, as
    ``path:line: app imports module``."""
    rank = {app: index for index, app in enumerate(layers)}
    found: list[str] = []
    for app in layers:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = module_name(path)
            for line, imported in imports(path.read_text(), module, path.name == "__init__.py"):
                target = imported.split(".")[0]
                above = target in rank and rank[target] > rank[app]
                if above or (app == "core" and target in OURS - {"core"}):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {app} imports {imported}")
    return found


# --- The collector itself ------------------------------------------------------------------
SAMPLE = """
from typing import TYPE_CHECKING
import typing

from parks.models import Park
import tenants.domain as domain
from . import selectors

if TYPE_CHECKING:
    from subsidies.models import Statement
else:
    from accounts import roles

if typing.TYPE_CHECKING:
    import audit.models

def lazily():
    from subsidies.services import statement_void
    import_string("tenants.services.lease_create")

class Thing:
    try:
        import stp_portal.views
    except ImportError:
        pass
"""


def test_the_collector_sees_every_import_but_the_type_checking_ones():
    found = [name for _, name in imports(SAMPLE, "parks.views")]
    assert found == [
        "typing",
        "typing",
        "parks.models",
        "tenants.domain",
        "parks",
        "accounts",
        "subsidies.services",
        "tenants.services.lease_create",
        "stp_portal.views",
    ]


def test_relative_imports_resolve_from_a_package_and_from_a_module():
    assert imports("from .models import X", "parks.api", is_package=True) == [
        (1, "parks.api.models")
    ]
    assert imports("from ..domain import X", "parks.views.pages") == [(1, "parks.domain")]


def test_the_scan_reads_each_layer():
    for app in LAYERS:
        assert any((ROOT / app).rglob("*.py")), app


# --- The rule -----------------------------------------------------------------------------------
def test_no_module_imports_an_app_above_its_own():
    found = violations()
    assert not found, "Imports against the layers " + " < ".join(LAYERS) + ":\n" + "\n".join(found)


@pytest.mark.parametrize("app", LAYERS[1:])
def test_the_rule_would_catch_an_upward_import(tmp_path, app):
    # Guards the guard: the check does flag an import of a higher app in a lower one.
    lower = LAYERS[LAYERS.index(app) - 1]
    found = imports(f"def later():\n    from {app}.models import X\n", f"{lower}.views")
    assert found == [(2, f"{app}.models")]
