"""The import direction of a domain (docs/architecture.md, "The shape of a domain").

Read from the source with ``ast`` (nothing is imported):

- only the web side imports the web layer (``timeward.web``) or ``litestar``: routes
  modules (``routes.py``, ``*_routes.py``), ``timeward.web`` itself and the few modules in
  ``WEB_SIDE``; services (whatever their module is called), views, schemas, models and
  jobs never do;
- a routes module never builds SQL: no call of sqlalchemy's ``select``, ``update``,
  ``insert``, ``delete`` or ``text``;
- only job modules import a domain's jobs module (importing it declares actors): a
  service starts a job by its registered name (``timeward.jobs.after_commit``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import tenants
import timeward

WEB_LAYER = ("timeward.web", "litestar")
SQL_BUILDERS = frozenset({"select", "update", "insert", "delete", "text"})
JOBS_MODULE = "jobs"

Violation = tuple[str, str]  # (module, what it does that it should not)

# The app factory, the command line and the Litestar guard: web-side by their nature.
WEB_SIDE = frozenset({"timeward.app", "timeward.cli", "timeward.authz.guard"})


def source_modules() -> Iterator[tuple[str, Path]]:
    for package in (timeward, tenants):
        root = Path(next(iter(package.__path__)))
        for path in sorted(root.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join((package.__name__, *parts)), path


def is_jobs_module(module: str, path: Path) -> bool:
    return path.name == "jobs.py" or is_within(module, "timeward.jobs")


def must_stay_web_free(module: str, path: Path) -> bool:
    web_side = is_within(module, "timeward.web") or module in WEB_SIDE
    return not (web_side or is_routes_module(path))


def is_routes_module(path: Path) -> bool:
    return path.name == "routes.py" or path.name.endswith("_routes.py")


def imported_modules(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def web_imports(module: str, tree: ast.Module) -> set[Violation]:
    return {
        (module, f"imports {layer}")
        for imported in imported_modules(tree)
        for layer in WEB_LAYER
        if is_within(imported, layer)
    }


def job_imports(module: str, tree: ast.Module) -> set[Violation]:
    """Imports of a domain's ``jobs`` module (the ``timeward.jobs`` framework is fine)."""
    return {
        (module, f"imports {imported}")
        for imported in imported_modules(tree)
        if imported.rsplit(".", 1)[-1] == JOBS_MODULE and imported != "timeward.jobs"
    }


def sql_calls(module: str, tree: ast.Module) -> set[Violation]:
    """Calls of sqlalchemy's statement builders, imported by name (``from sqlalchemy
    import select``) or reached through the module (``sqlalchemy.select``, ``sa.select``)."""
    builders: dict[str, str] = {}  # local name -> builder
    modules: set[str] = set()  # local names bound to a sqlalchemy module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and is_within(node.module or "", "sqlalchemy"):
            for alias in node.names:
                if alias.name in SQL_BUILDERS:
                    builders[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if is_within(alias.name, "sqlalchemy"):
                    modules.add(alias.asname or alias.name.partition(".")[0])
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Name) and function.id in builders:
            found.add((module, f"calls sqlalchemy {builders[function.id]}"))
        elif (
            isinstance(function, ast.Attribute)
            and function.attr in SQL_BUILDERS
            and isinstance(function.value, ast.Name)
            and function.value.id in modules
        ):
            found.add((module, f"calls sqlalchemy {function.attr}"))
    return found


def violations() -> set[Violation]:
    found: set[Violation] = set()
    for module, path in source_modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        if must_stay_web_free(module, path):
            found |= web_imports(module, tree)
        if not is_jobs_module(module, path):
            found |= job_imports(module, tree)
        if is_routes_module(path):
            found |= sql_calls(module, tree)
    return found


def test_the_rules_see_every_kind_of_module() -> None:
    """A guard on the walk itself: a rename must not make the rules check nothing."""
    modules = dict(source_modules())
    assert "timeward.instructions.service" in modules
    assert "tenants.privacy_requests.routes" in modules
    assert any(must_stay_web_free(name, path) for name, path in modules.items())
    assert sum(is_routes_module(path) for path in modules.values()) >= 10


def new_violations(kind: str) -> set[Violation]:
    return {v for v in violations() if v[1].startswith(kind)}


def test_only_the_web_side_imports_the_web_layer() -> None:
    new = {v for v in new_violations("imports ") if v[1].endswith(WEB_LAYER)}
    assert new == set(), "move the web types to routes (or timeward.web); the service stays neutral"


def test_only_job_modules_import_a_jobs_module() -> None:
    new = {v for v in new_violations("imports ") if not v[1].endswith(WEB_LAYER)}
    assert new == set(), "start the job by its registered name instead"


def test_routes_never_build_sql() -> None:
    new = new_violations("calls ")
    assert new == set(), "move the query into the domain's service (or views)"


def test_the_checks_catch_what_they_look_for() -> None:
    service = ast.parse("from litestar import Request\nimport timeward.web.schemas as s\n")
    assert web_imports("x.service", service) == {
        ("x.service", "imports litestar"),
        ("x.service", "imports timeward.web"),
    }
    assert web_imports("x.service", ast.parse("from timeward import web\n")) == {
        ("x.service", "imports timeward.web")
    }
    service = ast.parse("from tenants.x import jobs\nfrom timeward.jobs.registry import job\n")
    assert job_imports("x.service", service) == {("x.service", "imports tenants.x.jobs")}
    routes = ast.parse(
        "import sqlalchemy as sa\nfrom sqlalchemy import select as pick\n"
        "def handler():\n    pick(A)\n    sa.delete(A)\n    session.delete(a)\n"
    )
    assert sql_calls("x.routes", routes) == {
        ("x.routes", "calls sqlalchemy select"),
        ("x.routes", "calls sqlalchemy delete"),
    }
