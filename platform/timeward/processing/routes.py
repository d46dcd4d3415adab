"""Records of processing: a client admin exports its own; platform staff any client's.

JSON by default; a readable HTML page when the client asks for ``text/html`` (in the
``Accept`` header) or passes ``?format=html``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, put
from litestar.params import FromPath, JSONBody, QueryParameter

from timeward.authz.guard import requires
from timeward.processing import service
from timeward.processing.html import CONTENT_SECURITY_POLICY, render
from timeward.processing.schemas import (
    DataControllerDetailsBody,
    DataControllerDetailsView,
    ProcessingRecord,
)
from timeward.processing.views import data_controller_details_view, processing_record
from timeward.web.dependencies import AppServices, CurrentActor, DbSession

OutputFormat = Annotated[
    Literal["json", "html"] | None,
    QueryParameter(name="format", description="json or html; default: by the Accept header"),
]


def _wants_html(request: Request[Any, Any, Any], output: str | None) -> bool:
    if output is not None:
        return output == "html"
    best = request.accept.best_match(["application/json", "text/html"], "application/json")
    return best == "text/html"


def record_response(record: ProcessingRecord, html: bool) -> Response[Any]:
    """The record as JSON or as its readable HTML page (the API's and the admin page's)."""
    headers = {"Vary": "Accept", "X-Content-Type-Options": "nosniff"}
    if html:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return Response(render(record), media_type=MediaType.HTML, headers=headers)
    return Response(record, media_type=MediaType.JSON, headers=headers)


class ProcessingRecordsController(Controller):
    path = "/api/v1/processing-records"
    tags = ["records of processing"]

    @get(
        "/",
        opt=requires("processing_records", "read"),
        summary="This client's record of processing (JSON, or HTML for text/html)",
    )
    async def own_record(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        output: OutputFormat = None,
    ) -> Response[Any]:
        sources = await service.record_sources(session, actor.require_tenant())
        record = processing_record(sources, services.settings.processor)
        return record_response(record, _wants_html(request, output))

    @put(
        "/controller",
        opt=requires("processing_records", "update"),
        summary="Set this client's contact details for its record",
    )
    async def set_details(
        self,
        data: JSONBody[DataControllerDetailsBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> DataControllerDetailsView:
        given = service.DataControllerContact(data.contact, data.dpo, data.representative)
        details = await service.update_data_controller_details(
            session, services.audit, actor.require_tenant(), given, actor.acting
        )
        return data_controller_details_view(details)


class PlatformProcessingRecordsController(Controller):
    path = "/api/v1/platform/processing-records"
    tags = ["records of processing"]

    @get(
        "/{tenant_id:uuid}",
        opt=requires("platform_processing_records", "read"),
        summary="A client's record of processing (JSON, or HTML for text/html)",
    )
    async def tenant_record(
        self,
        tenant_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        session: DbSession,
        services: AppServices,
        output: OutputFormat = None,
    ) -> Response[Any]:
        sources = await service.record_sources(session, tenant_id)
        record = processing_record(sources, services.settings.processor)
        return record_response(record, _wants_html(request, output))
