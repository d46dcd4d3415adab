"""Client admin → processor: instructions, their certificates and returned data; the holds
the client may be told of; public receipt links (for a client whose access is closed)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, MediaType, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from timeward.authz.guard import PUBLIC, requires
from timeward.instructions import service
from timeward.instructions.certificate import render_html
from timeward.instructions.holds import list_holds
from timeward.instructions.models import DataExport, Instruction
from timeward.instructions.receipts import PUBLIC_BASE, receipt_links, receipt_token
from timeward.instructions.schemas import (
    CancelBody,
    CertificateView,
    CreatedInstruction,
    HoldView,
    InstructionDetail,
    InstructionView,
    NewInstructionBody,
    PublicInstructionView,
)
from timeward.instructions.views import (
    certificate_view,
    created_view,
    detail_view,
    hold_view,
    instruction_view,
    public_view,
)
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import Page, RequestedPage, make_page


async def _by_receipt(services: Services, instruction_id: UUID, token: str) -> Instruction:
    settings = services.settings
    return await service.instruction_by_receipt(
        services.database,
        settings.resolve_master_key(),
        instruction_id,
        token,
        settings.receipt_link_lifetime,
    )


def new_instruction(body: NewInstructionBody) -> service.NewInstruction:
    """What a client asks for (the API's body, or the admin page's form read as it)."""
    return service.NewInstruction(
        body.kind, body.subject_id, body.subject_user_id, confirm_slug=body.confirm_slug
    )


def export_response(export: DataExport) -> Response[bytes]:
    """The returned data as a zip download (the API's and the admin page's)."""
    assert export.content is not None  # service.export_for_download answers 410 otherwise
    return Response(
        content=export.content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="timeward-export-{export.id}.zip"',
            "X-Content-SHA256": export.sha256,
        },
    )


class InstructionsController(Controller):
    path = "/api/v1/instructions"
    tags = ["instructions"]

    @post("/", opt=requires("instructions", "create"), summary="Instruct the processor")
    async def create_instruction(
        self,
        data: JSONBody[NewInstructionBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> CreatedInstruction:
        settings = services.settings
        instruction = await service.create_instruction(
            session,
            actor.require_tenant(),
            new_instruction(data),
            actor.acting,
            audit=services.audit,
            offboarding_grace=settings.offboarding_grace,
        )
        master_key = settings.resolve_master_key()
        return created_view(
            instruction,
            receipt_token(master_key, instruction.id),
            receipt_links(master_key, settings.public_url, instruction.id),
        )

    @get("/", opt=requires("instructions", "read"), summary="This tenant's instructions")
    async def list_instructions(
        self, actor: CurrentActor, session: DbSession, page: RequestedPage
    ) -> Page[InstructionView]:
        rows = await service.list_instructions(session, actor.require_tenant(), page)
        return make_page([instruction_view(i, client=True) for i in rows], page)

    @get(
        "/{instruction_id:uuid}",
        opt=requires("instructions", "read"),
        summary="An instruction with its status history and per-table progress",
    )
    async def get_instruction(
        self, instruction_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> InstructionDetail:
        detail = await service.detail(
            session, actor.require_tenant(), instruction_id, client_view=True
        )
        return detail_view(detail, client=True)

    @post(
        "/{instruction_id:uuid}/cancel",
        opt=requires("instructions", "cancel"),
        summary="Withdraw an instruction that has not started",
        status_code=200,
    )
    async def cancel_instruction(
        self,
        instruction_id: FromPath[UUID],
        data: JSONBody[CancelBody],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> InstructionView:
        instruction = await service.cancel_by_client(
            session,
            services.audit,
            actor.require_tenant(),
            instruction_id,
            actor.acting,
            data.reason,
        )
        return instruction_view(instruction, client=True)

    @get(
        "/{instruction_id:uuid}/certificate",
        opt=requires("instructions", "read"),
        summary="The signed deletion certificate (JSON and compact JWS)",
    )
    async def certificate(
        self, instruction_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> CertificateView:
        certificate = await service.latest_certificate(
            session, actor.require_tenant(), instruction_id
        )
        return certificate_view(certificate)

    @get(
        "/{instruction_id:uuid}/certificate.html",
        opt=requires("instructions", "read"),
        summary="The certificate, readable and printable",
        media_type=MediaType.HTML,
    )
    async def certificate_html(
        self, instruction_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> str:
        certificate = await service.latest_certificate(
            session, actor.require_tenant(), instruction_id
        )
        return render_html(certificate.payload, certificate.jws, certificate.kid)

    @get(
        "/{instruction_id:uuid}/export",
        opt=requires("instructions", "export", personal_data=True),
        summary="Download the returned data (zip: JSON and CSV per table)",
        media_type="application/zip",
    )
    async def download_export(
        self,
        instruction_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[bytes]:
        export = await service.download_export(
            session, services.audit, actor.require_tenant(), instruction_id, actor.acting
        )
        return export_response(export)


class LegalHoldsController(Controller):
    path = "/api/v1/legal-holds"
    tags = ["instructions"]

    @get("/", opt=requires("legal_holds", "read"), summary="Legal holds you may be told of")
    async def list_disclosed(
        self, actor: CurrentActor, session: DbSession, page: RequestedPage
    ) -> Page[HoldView]:
        holds = await list_holds(session, tenant_id=actor.require_tenant(), page=page)
        return make_page([hold_view(h) for h in holds], page)


class PublicInstructionsController(Controller):
    """Receipt links: the token (from the creation response or the delivery notice) is the
    credential, so a client whose access offboarding closed can still follow it."""

    path = PUBLIC_BASE
    tags = ["instructions"]
    opt = PUBLIC

    @get("/{instruction_id:uuid}", summary="Status of an instruction, by receipt token")
    async def status(
        self, instruction_id: FromPath[UUID], token: FromQuery[str], services: AppServices
    ) -> PublicInstructionView:
        return public_view(await _by_receipt(services, instruction_id, token))

    @get(
        "/{instruction_id:uuid}/export",
        summary="Download the returned data, by receipt token",
        media_type="application/zip",
    )
    async def export(
        self, instruction_id: FromPath[UUID], token: FromQuery[str], services: AppServices
    ) -> Response[bytes]:
        instruction = await _by_receipt(services, instruction_id, token)
        export = await service.download_by_receipt(services.database, services.audit, instruction)
        return export_response(export)

    @get("/{instruction_id:uuid}/certificate", summary="The signed certificate, by receipt token")
    async def certificate(
        self, instruction_id: FromPath[UUID], token: FromQuery[str], services: AppServices
    ) -> CertificateView:
        instruction = await _by_receipt(services, instruction_id, token)
        certificate = await service.visible_certificate(services.database, instruction, client=True)
        return certificate_view(certificate)
