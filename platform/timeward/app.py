"""The application factory.

Routes: the framework's own (health, auth, JWKS) and every domain's controllers from
``timeward.domains.DOMAINS``. Services: the one builder (``timeward.services``) in the
app's lifespan. With no broker the jobs run in this process (``timeward.jobs.embedded``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Controller, Litestar, Router
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from tenants.privacy_requests import instructions_link
from timeward.auth.account_cache import AccountCache, listen_dsn, listening
from timeward.authz.guard import PUBLIC, authorize
from timeward.config import Settings, load_settings
from timeward.db.session import Database
from timeward.domain_shape import resolve
from timeward.domains import controller_references, declare_jobs
from timeward.links import use_public_url
from timeward.observability.logging import configure_logging
from timeward.services import running_services
from timeward.web.auth_routes import AuthController, JwksController
from timeward.web.authentication import TokenAuthenticationMiddleware
from timeward.web.dependencies import DEPENDENCIES
from timeward.web.errors import EXCEPTION_HANDLERS, document_error_responses
from timeward.web.health import HealthController
from timeward.web.json_depth import DepthCheckedRequest
from timeward.web.request_context import request_context_middleware
from timeward.web.security_headers import add_security_headers
from timeward.web.site import docs_viewers, web_site

# The framework's own routes; every other controller comes from a domain (DOMAINS).
FRAMEWORK_CONTROLLERS: tuple[type[Controller], ...] = (
    HealthController,
    AuthController,
    JwksController,
)


def domain_controllers() -> list[type[Controller]]:
    """Every domain's controllers, in ``DOMAINS`` order."""
    controllers = []
    for reference in controller_references():
        controller = resolve(reference)
        if not (isinstance(controller, type) and issubclass(controller, Controller)):
            raise TypeError(f"{reference} is not a Controller")
        controllers.append(controller)
    return controllers


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Timeward API",
        version="1",
        openapi_router=Router(path="/docs", route_handlers=[], opt=PUBLIC),
        render_plugins=docs_viewers(),
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        security=[{"BearerToken": []}],
    )


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> Litestar:
    settings = settings or load_settings()
    configure_logging(json=settings.log_json)
    use_public_url(settings.public_url)
    declare_jobs()
    instructions_link.install()

    @asynccontextmanager
    async def services_lifespan(app: Litestar) -> AsyncIterator[None]:
        async with running_services(settings, database=database) as services:
            app.state.database = services.database
            app.state.services = services
            app.state.enforcer = services.enforcer
            await services.keys.current()
            app.state.account_cache = cache = AccountCache()
            async with listening(cache, listen_dsn(services.database)):
                yield

    lifespan: list[Callable[[Litestar], AbstractAsyncContextManager[None]]]
    lifespan = [services_lifespan]
    if settings.broker_url is None and settings.environment != "test":
        from timeward.jobs.embedded import embedded_jobs  # no broker: run jobs in-process

        lifespan.append(lambda app: embedded_jobs(settings, app.state.database))

    site = web_site(settings)
    app = Litestar(
        route_handlers=[*FRAMEWORK_CONTROLLERS, *domain_controllers(), *site.route_handlers],
        lifespan=lifespan,
        middleware=[
            request_context_middleware,
            DefineMiddleware(
                TokenAuthenticationMiddleware,
                exclude_from_auth_key="public",
                exclude=site.bearer_excluded,
            ),
        ],
        guards=[authorize],
        before_send=[add_security_headers],
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=DepthCheckedRequest,
        template_config=site.template_config,
        csrf_config=site.csrf_config,
        openapi_config=_openapi(),
        state=State({"settings": settings}),
        logging_config=None,  # ours (configure_logging) stays in charge: redaction included
        debug=False,
    )
    document_error_responses(app)
    return app
