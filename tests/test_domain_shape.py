"""One registration point: ``timeward.domains.DOMAINS`` (docs/architecture.md, "The shape
of a domain").

Every domain exposes what it declares; the worker imports every domain's job modules and
no actor lives elsewhere; the scheduler's table is the domains' periodic jobs; the app
serves exactly the framework's controllers and the domains'.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import dramatiq
from litestar import Controller, Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

import tenants
import timeward
from timeward.app import FRAMEWORK_CONTROLLERS, domain_controllers
from timeward.domain_shape import Domain, resolve
from timeward.domains import DOMAINS, job_module_names, periodic_declarations
from timeward.jobs import worker
from timeward.jobs.registry import current_broker
from timeward.jobs.schedule import periodic_jobs
from timeward.web.site import PAGE_CONTROLLERS

STATIC_PREFIX = "/static/"

DOCS_PREFIX = "/docs"


def test_each_domain_is_declared_once_by_its_own_package() -> None:
    names = [domain.name for domain in DOMAINS]
    assert len(set(names)) == len(names)
    packages = {
        importlib.import_module(reference.partition(":")[0].rsplit(".", 1)[0])
        for domain in DOMAINS
        for reference in (*domain.controllers, *domain.job_modules)
    }
    for package in packages:
        assert isinstance(package.DOMAIN, Domain)
        assert package.DOMAIN in DOMAINS, f"{package.__name__}.DOMAIN is not in DOMAINS"


def test_every_declared_controller_is_a_controller_of_its_domain() -> None:
    for domain in DOMAINS:
        for reference in domain.controllers:
            controller = resolve(reference)
            assert isinstance(controller, type) and issubclass(controller, Controller), reference
            assert controller.__module__ == reference.partition(":")[0], reference


def test_every_declared_job_module_declares_actors() -> None:
    for module_name in job_module_names():
        module = importlib.import_module(module_name)
        actors = [value for value in vars(module).values() if isinstance(value, dramatiq.Actor)]
        assert actors, f"{module_name} declares no actor"


def test_every_periodic_job_is_an_actor_of_its_own_domain() -> None:
    for domain in DOMAINS:
        for periodic in domain.periodic:
            actor = resolve(periodic.actor)
            assert isinstance(actor, dramatiq.Actor), periodic.actor
            assert actor.fn.__module__ in domain.job_modules, periodic.actor


def test_the_scheduler_table_is_the_domains_periodic_jobs() -> None:
    declared = [periodic.actor.partition(":")[2] for periodic in periodic_declarations()]
    assert [job.actor.actor_name for job in periodic_jobs()] == declared


def test_the_worker_imports_every_domain_job_module() -> None:
    assert [module.__name__ for module in worker.JOB_MODULES] == list(job_module_names())
    declared = set(current_broker().get_declared_actors())
    for module in worker.JOB_MODULES:
        for value in vars(module).values():
            if isinstance(value, dramatiq.Actor):
                assert value.actor_name in declared, f"{module.__name__}: {value.actor_name}"


def modules_declaring_actors() -> set[str]:
    """Every source module that declares an actor with ``@job(...)``, read with ``ast``."""
    found = set()
    for package in (timeward, tenants):
        root = Path(next(iter(package.__path__)))
        for path in root.rglob("*.py"):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and any(
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Name)
                    and decorator.func.id == "job"
                    for decorator in node.decorator_list
                ):
                    module = ".".join(path.relative_to(root).with_suffix("").parts)
                    found.add(f"{package.__name__}.{module}")
    return found


def test_no_actor_lives_outside_a_declared_job_module() -> None:
    assert modules_declaring_actors() == set(job_module_names())


def defining_controller(handler: HTTPRouteHandler) -> type[Controller] | None:
    """The controller class a handler was written in (Litestar turns each registered
    controller into a router, so the class is found from the handler's function)."""
    function = handler.fn
    owner_name = function.__qualname__.partition(".")[0]
    owner = getattr(sys.modules[function.__module__], owner_name, None)
    return owner if isinstance(owner, type) and issubclass(owner, Controller) else None


def app_controllers(app: Litestar) -> set[type[Controller]]:
    found = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            controller = defining_controller(handler)
            if controller is not None:
                found.add(controller)
            else:  # Litestar's own: OPTIONS answers, the OpenAPI pages, the static files
                assert (
                    handler.http_methods == {"OPTIONS"}
                    or route.path.startswith(DOCS_PREFIX)
                    or route.path.startswith(STATIC_PREFIX)
                )
    return found


def test_the_app_serves_the_framework_domain_and_page_controllers(live_app: Litestar) -> None:
    declared = {*FRAMEWORK_CONTROLLERS, *domain_controllers(), *PAGE_CONTROLLERS}
    assert app_controllers(live_app) == declared
