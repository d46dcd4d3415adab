"""Liveness and readiness probes (public, no personal data)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec
from sqlalchemy import text

from timeward.db.migrate import head_revision
from timeward.db.session import Database


class HealthStatus(msgspec.Struct, omit_defaults=True):
    status: str
    detail: str | None = None


class HealthController(Controller):
    tags = ["operations"]
    opt = {"public": True, "probe": True}  # no token, no input: no 4xx (web.errors)

    @get("/health", summary="The process is alive")
    async def health(self) -> HealthStatus:
        return HealthStatus(status="ok")

    @get(
        "/ready",
        summary="The database is reachable and fully migrated",
        responses={503: ResponseSpec(HealthStatus, description="Not ready (says why)")},
    )
    async def ready(self, state: State) -> Response[Any]:
        database: Database = state.database
        try:
            async with database.engine.connect() as conn:
                current = await conn.scalar(text("select version_num from alembic_version"))
        except Exception:
            return Response(HealthStatus("unavailable", "database unreachable"), status_code=503)
        if current != head_revision():
            return Response(HealthStatus("unavailable", "database not migrated"), status_code=503)
        return Response(HealthStatus("ok"), status_code=200)
