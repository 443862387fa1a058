"""Guards on the code's layout (issue 13): rules that a review misses once the tree is
big enough, checked by reading the source, not by running it.

- A role check (`holds(user, role)`) is made only in access modules, so that "who may
  do this" is decided in one place that the pages and the API both call.
- `audit` does not import `units`: units hands audit its scope functions in
  `UnitsConfig.ready()`, so the two do not depend on each other.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("units", "submissions", "publications", "scoring", "audit", "govinfo")


def _modules(*apps: str):
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_access_module(path: Path) -> bool:
    """access.py (an app's or a feature package's), or any module of an access package."""
    return path.name == "access.py" or "access" in path.relative_to(ROOT).parts[:-1]


def _where(path: Path, node: ast.AST) -> tuple[str, int]:
    return str(path.relative_to(ROOT)), node.lineno


def _listed(places: list[tuple[str, int]]) -> list[str]:
    return [f"{path}:{line}" for path, line in sorted(set(places))]


def role_checks_outside_access_modules() -> list[str]:
    offenders: list[tuple[str, int]] = []
    for path, tree in _modules(*APPS):
        if _is_access_module(path):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
                if name == "holds":
                    offenders.append(_where(path, node))
    return _listed(offenders)


def audit_imports_of_units() -> list[str]:
    offenders: list[tuple[str, int]] = []
    for path, tree in _modules("audit"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            if any(name == "units" or name.startswith("units.") for name in names):
                offenders.append(_where(path, node))
    return _listed(offenders)


def test_the_guard_sees_a_role_check_and_an_import():
    """The checks would pass vacuously if they read nothing: they find what they look for."""
    tree = ast.parse("from units.access import holds\nif holds(user, 'editor'):\n    pass\n")
    assert any(isinstance(n, ast.Call) and getattr(n.func, "id", None) == "holds" for n in ast.walk(tree))
    assert _is_access_module(ROOT / "units" / "access.py")
    assert _is_access_module(ROOT / "publications" / "instructions" / "access.py")
    assert _is_access_module(ROOT / "submissions" / "access" / "items.py")
    assert not _is_access_module(ROOT / "submissions" / "views.py")
    assert sum(1 for _ in _modules(*APPS)) > 50


def test_role_checks_are_made_only_in_access_modules():
    offenders = role_checks_outside_access_modules()
    assert offenders == [], "holds(...) outside access modules:\n" + "\n".join(offenders)


def test_audit_does_not_import_units():
    offenders = audit_imports_of_units()
    assert offenders == [], "audit imports units:\n" + "\n".join(offenders)
