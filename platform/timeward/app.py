"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from tenants.employees.routes import EmployeesController
from tenants.privacy_requests import instructions_link  # noqa: F401 - the erasure -> processor link
from tenants.privacy_requests.routes import (
    MyPrivacyRequestsController,
    PrivacyRequestsController,
    PublicPrivacyRequestsController,
)
from tenants.settings.routes import LocationSettingsController
from tenants.sites.routes import SitesController
from tenants.time.routes import (
    ClockController,
    ClockEventsController,
    MyTimeController,
    TimeEntriesController,
)
from timeward.audit.routes import AuditEventsController
from timeward.authz.guard import PUBLIC, authorize
from timeward.breaches.routes import BreachesController, PlatformBreachesController
from timeward.config import Settings, load_settings
from timeward.db.session import Database
from timeward.identity.routes import (
    InvitationLinksController,
    MeController,
    PlatformStaffController,
    PlatformTenantsController,
    UsersController,
)
from timeward.instructions.platform_routes import (
    PlatformInstructionsController,
    PlatformLegalHoldsController,
)
from timeward.instructions.routes import (
    InstructionsController,
    LegalHoldsController,
    PublicInstructionsController,
)
from timeward.links import use_public_url
from timeward.notifications.routes import MyNotificationsController
from timeward.observability.logging import configure_logging
from timeward.processing.routes import (
    PlatformProcessingRecordsController,
    ProcessingRecordsController,
)
from timeward.retention.routes import RetentionController
from timeward.services import build_services
from timeward.subprocessors.routes import (
    PlatformSubProcessorsController,
    SubProcessorsController,
)
from timeward.support.routes import PlatformSupportGrantsController, SupportGrantsController
from timeward.web.auth_routes import AuthController, JwksController
from timeward.web.authentication import TokenAuthenticationMiddleware
from timeward.web.dependencies import DEPENDENCIES
from timeward.web.errors import EXCEPTION_HANDLERS, document_error_responses
from timeward.web.health import HealthController
from timeward.web.json_depth import DepthCheckedRequest
from timeward.web.request_context import request_context_middleware
from timeward.web.security_headers import add_security_headers
from timeward.web.site import docs_viewers, web_site

ROUTE_HANDLERS = [
    HealthController,
    AuthController,
    JwksController,
    MeController,
    InvitationLinksController,
    UsersController,
    PlatformTenantsController,
    PlatformStaffController,
    AuditEventsController,
    SupportGrantsController,
    PlatformSupportGrantsController,
    PlatformBreachesController,
    BreachesController,
    SubProcessorsController,
    PlatformSubProcessorsController,
    ProcessingRecordsController,
    PlatformProcessingRecordsController,
    EmployeesController,
    SitesController,
    LocationSettingsController,
    ClockController,
    MyTimeController,
    ClockEventsController,
    TimeEntriesController,
    InstructionsController,
    LegalHoldsController,
    PublicInstructionsController,
    PlatformInstructionsController,
    PlatformLegalHoldsController,
    RetentionController,
    MyPrivacyRequestsController,
    PrivacyRequestsController,
    PublicPrivacyRequestsController,
    MyNotificationsController,
]


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

    @asynccontextmanager
    async def services_lifespan(app: Litestar) -> AsyncIterator[None]:
        if database is None and not settings.database_url:
            raise RuntimeError("DATABASE_URL is not set (use `timeward serve`)")
        db = database or Database(settings.database_url or "", pool_size=settings.db_pool_size)
        app.state.database = db
        app.state.services = build_services(settings, db)
        app.state.enforcer = app.state.services.enforcer
        await app.state.services.keys.current()
        try:
            yield
        finally:
            if database is None:
                await db.dispose()

    lifespan: list[Callable[[Litestar], AbstractAsyncContextManager[None]]]
    lifespan = [services_lifespan]
    if settings.broker_url is None and settings.environment != "test":
        from timeward.jobs.embedded import embedded_jobs  # no broker: run jobs in-process

        lifespan.append(lambda _app: embedded_jobs(settings))

    site = web_site(settings)
    app = Litestar(
        route_handlers=[*ROUTE_HANDLERS, *site.route_handlers],
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
