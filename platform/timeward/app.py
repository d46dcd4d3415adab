"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin

from timeward.config import Settings, load_settings
from timeward.db.session import Database
from timeward.observability.logging import configure_logging
from timeward.web.errors import EXCEPTION_HANDLERS
from timeward.web.health import HealthController
from timeward.web.request_context import request_context_middleware


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> Litestar:
    settings = settings or load_settings()
    configure_logging(json=settings.log_json)

    @asynccontextmanager
    async def database_lifespan(app: Litestar) -> AsyncIterator[None]:
        owned = database is None
        if database is None:
            if not settings.database_url:
                raise RuntimeError("DATABASE_URL is not set (use `timeward serve`)")
            app.state.database = Database(settings.database_url, pool_size=settings.db_pool_size)
        else:
            app.state.database = database
        try:
            yield
        finally:
            if owned:
                await app.state.database.dispose()

    lifespan: list[Callable[[Litestar], AbstractAsyncContextManager[None]]]
    lifespan = [database_lifespan]
    if settings.broker_url is None and settings.environment != "test":
        from timeward.jobs.embedded import embedded_jobs  # no broker: run jobs in-process

        lifespan.append(lambda _app: embedded_jobs(settings))

    return Litestar(
        route_handlers=[HealthController],
        lifespan=lifespan,
        middleware=[request_context_middleware],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Timeward API",
            version="1",
            path="/docs",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        state=State({"settings": settings}),
        debug=False,
    )
