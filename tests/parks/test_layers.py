"""The layers (conventions.md): core ← audit ← accounts ← parks ← tenants ← subsidies. A lower
app imports nothing of a higher one, not even lazily or for type checking."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HIGHER = {
    "accounts": {"parks", "tenants", "subsidies"},
    "parks": {"tenants", "subsidies"},
}


def imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            apps |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            apps.add(node.module.split(".")[0])
    return apps


@pytest.mark.parametrize("app", sorted(HIGHER))
def test_an_app_imports_nothing_of_the_apps_above_it(app):
    offending = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & HIGHER[app])
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: apps for path, apps in offending.items() if apps} == {}


@pytest.mark.parametrize("module", ["parks/domain.py", "parks/occupancy.py"])
def test_the_pure_rule_modules_import_nothing_from_django(module):
    assert "django" not in imported_apps(ROOT / module)
