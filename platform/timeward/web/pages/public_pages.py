"""Pages for anyone, no sign-in: the public privacy-request form (the same intake, throttle
and non-enumerating answer as ``POST /api/v1/public/privacy-requests``) and who is the
controller and who the processor. The per-tenant request page
(``/t/{slug}/privacy-request``) is the same form: the intake routes by e-mail address to
every employer holding it, so the slug changes nothing but the wording, and an unknown
slug gets exactly the page a known one gets (no enumeration)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests import intake, messages
from tenants.privacy_requests import service as privacy
from tenants.privacy_requests.models import RequestType
from timeward import clock
from timeward.auth.rate_limit import RateLimited
from timeward.authority_requests import service as authority_requests
from timeward.authority_requests.views import transparency_view
from timeward.db.session import Scope
from timeward.errors import NotFound
from timeward.fields import Email
from timeward.services import Services
from timeward.web.dependencies import AppServices
from timeward.web.downloads import zip_response
from timeward.web.errors import too_many_requests
from timeward.web.pages.employee_pages import REQUEST_TYPES
from timeward.web.pages.layout import PUBLIC_PAGE, Form, page_translator, redirect, render

RECEIVED = "/privacy-request/received"


class PublicRequestForm(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(max_length=320)]
    text: Annotated[str, msgspec.Meta(max_length=4000)]
    request_type: RequestType = RequestType.ACCESS


def _checked_email(value: str) -> str:
    """The API's one e-mail syntax (``schemas.Email``), applied to the form field."""
    try:
        return msgspec.convert(value.strip(), Email)
    except msgspec.ValidationError as exc:
        raise ValidationException("Enter a valid e-mail address.") from exc


class PublicPages(Controller):
    opt = PUBLIC_PAGE

    @get("/privacy", include_in_schema=False)
    async def roles(self, request: Request[Any, Any, Any], services: AppServices) -> Response[Any]:
        return render(request, "privacy.html", processor=services.settings.processor.name)

    @get("/transparency", include_in_schema=False)
    async def transparency(
        self, request: Request[Any, Any, Any], services: AppServices
    ) -> Response[Any]:
        """Requests from authorities per year, counts only (``/api/v1/public/transparency``)."""
        years = await authority_requests.transparency(services.database)
        counts = transparency_view(services.settings.processor.name, years)
        return render(request, "transparency.html", processor=counts.processor, years=counts.years)

    @get("/privacy-request", include_in_schema=False)
    async def request_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return render(request, "public_request.html", request_types=REQUEST_TYPES)

    @get("/t/{slug:str}/privacy-request", include_in_schema=False)
    async def tenant_request_form(
        self, request: Request[Any, Any, Any], slug: FromPath[str]
    ) -> Response[Any]:
        return render(request, "public_request.html", request_types=REQUEST_TYPES, slug=slug[:63])

    @post("/privacy-request", include_in_schema=False)
    async def file_request(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[PublicRequestForm, Form],
        services: AppServices,
    ) -> Response[Any]:
        if not data.text.strip():
            raise ValidationException("Say in a few words what you are asking for.")
        submission = intake.Submission(
            _checked_email(data.email),
            data.request_type,
            data.text.strip(),
            request.client.host if request.client else "unknown",
        )
        try:
            reference = await intake.submit(
                services.database, services.settings.privacy, submission, clock.now()
            )
        except RateLimited as exc:
            raise too_many_requests(exc, "Too many requests. Try again later.") from exc
        return redirect(f"{RECEIVED}?reference={reference}")

    @get(RECEIVED, include_in_schema=False)
    async def received(
        self, request: Request[Any, Any, Any], reference: FromQuery[UUID]
    ) -> Response[Any]:
        answer = messages.public_received(page_translator(request, None))
        return render(request, "public_received.html", reference=reference, answer=answer)

    @get(f"{privacy.TRANSFER_BASE}/{{tenant_id:uuid}}/{{export_id:uuid}}", include_in_schema=False)
    async def transfer(
        self,
        request: Request[Any, Any, Any],
        tenant_id: FromPath[UUID],
        export_id: FromPath[UUID],
        token: FromQuery[str],
        services: AppServices,
    ) -> Response[Any]:
        """The recipient of a portability transfer: who sent it, until when, the download
        (a 404 page for a wrong link, a 410 page once it expired)."""
        async with services.database.transaction(Scope.TENANT, tenant_id) as session:
            found = await _transfer(session, services, tenant_id, export_id, token)
        return render(
            request,
            "transfer.html",
            sender=found.sender,
            controller=found.controller,
            expires_at=found.export.expires_at,
            size_bytes=found.export.size_bytes,
            sha256=found.export.sha256,
            download=f"{request.url.path}/download?token={token}",
        )

    @get(
        f"{privacy.TRANSFER_BASE}/{{tenant_id:uuid}}/{{export_id:uuid}}/download",
        include_in_schema=False,
    )
    async def transfer_download(
        self,
        tenant_id: FromPath[UUID],
        export_id: FromPath[UUID],
        token: FromQuery[str],
        services: AppServices,
    ) -> Response[bytes]:
        """The zip; each download is on the request's timeline."""
        async with services.database.transaction(Scope.TENANT, tenant_id) as session:
            found = await _transfer(session, services, tenant_id, export_id, token)
            await privacy.record_download(session, services.audit, found, clock.now())
        return zip_response(found.export)


async def _transfer(
    session: AsyncSession, services: Services, tenant_id: UUID, export_id: UUID, token: str
) -> privacy.Transfer:
    """The token is checked before anything is read: a wrong one is not found."""
    key = services.settings.resolve_master_key()
    if not privacy.check_transfer_token(key, tenant_id, export_id, token):
        raise NotFound("Download")
    return await privacy.transfer_for_recipient(session, tenant_id, export_id, clock.now())
