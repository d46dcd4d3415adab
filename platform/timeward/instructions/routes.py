"""Client admin → processor: instructions, their certificates and returned data; the holds
the client may be told of; public receipt links (for a client whose access is closed)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from litestar import Controller, MediaType, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from timeward.audit.log import AuditEntry
from timeward.authz.guard import PUBLIC, requires
from timeward.db.session import Scope
from timeward.instructions import service
from timeward.instructions.certificate import render_html
from timeward.instructions.holds import list_holds
from timeward.instructions.models import DataExport, Instruction
from timeward.instructions.receipts import receipt_token
from timeward.instructions.states import open_dsr_status
from timeward.instructions.views import (
    CancelBody,
    CertificateView,
    CreatedInstruction,
    HoldView,
    InstructionDetail,
    InstructionView,
    NewInstructionBody,
    PublicInstructionView,
    certificate_view,
    event_view,
    hold_view,
    instruction_view,
    progress_view,
)
from timeward.services import Services
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pagination import PageLimit, PageOffset

PUBLIC_BASE = "/api/v1/public/instructions"


def _links(services: Services, instruction_id: UUID) -> tuple[str, dict[str, str]]:
    token = receipt_token(services.settings.resolve_master_key(), instruction_id)
    base = f"{services.settings.public_url.rstrip('/')}{PUBLIC_BASE}/{instruction_id}"
    links = {
        "status": f"{base}?token={token}",
        "export": f"{base}/export?token={token}",
        "certificate": f"{base}/certificate?token={token}",
    }
    return token, links


async def _by_receipt(services: Services, instruction_id: UUID, token: str) -> Instruction:
    settings = services.settings
    return await service.instruction_by_receipt(
        services.database,
        settings.resolve_master_key(),
        instruction_id,
        token,
        settings.receipt_link_lifetime,
    )


def _zip(export: DataExport) -> Response[bytes]:
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
        instruction = await service.create_instruction(
            session,
            actor.require_tenant(),
            service.NewInstruction(
                data.kind, data.subject_id, data.subject_user_id, confirm_slug=data.confirm_slug
            ),
            service.Requester(actor.user_id, actor.role),
            audit=services.audit,
            offboarding_grace=timedelta(days=services.settings.offboarding_grace_days),
        )
        token, links = _links(services, instruction.id)
        return CreatedInstruction(instruction_view(instruction, client=True), token, links)

    @get("/", opt=requires("instructions", "read"), summary="This tenant's instructions")
    async def list_instructions(
        self,
        actor: CurrentActor,
        session: DbSession,
        limit: PageLimit = 50,
        offset: PageOffset = 0,
    ) -> list[InstructionView]:
        rows = await service.list_instructions(session, actor.require_tenant(), limit, offset)
        return [instruction_view(i, client=True) for i in rows]

    @get(
        "/{instruction_id:uuid}",
        opt=requires("instructions", "read"),
        summary="An instruction with its status history and per-table progress",
    )
    async def get_instruction(
        self, instruction_id: FromPath[UUID], actor: CurrentActor, session: DbSession
    ) -> InstructionDetail:
        tenant_id = actor.require_tenant()
        instruction = await service.get_instruction(session, tenant_id, instruction_id)
        events = await service.history(session, tenant_id, instruction_id, client_view=True)
        rows = await service.progress(session, tenant_id, instruction_id)
        return InstructionDetail(
            instruction_view(instruction, client=True),
            [event_view(e) for e in events],
            [progress_view(r, hide_holds=instruction.withheld) for r in rows],
        )

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
            service.Requester(actor.user_id, actor.role),
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
        tenant_id = actor.require_tenant()
        export = await service.export_for_download(session, tenant_id, instruction_id)
        entry = AuditEntry(
            "export.downloaded", actor.user_id, actor.role, "instruction", instruction_id
        )
        await services.audit.append(session, tenant_id, entry)
        return _zip(export)


class LegalHoldsController(Controller):
    path = "/api/v1/legal-holds"
    tags = ["instructions"]

    @get("/", opt=requires("legal_holds", "read"), summary="Legal holds you may be told of")
    async def list_disclosed(self, actor: CurrentActor, session: DbSession) -> list[HoldView]:
        holds = await list_holds(session, tenant_id=actor.require_tenant())
        return [hold_view(h) for h in holds]


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
        instruction = await _by_receipt(services, instruction_id, token)
        status = service.client_status(instruction)
        hidden = instruction.withheld
        return PublicInstructionView(
            instruction.id,
            instruction.kind,
            str(status),
            str(open_dsr_status(status)),
            instruction.received_at,
            instruction.due_on,
            None if hidden else instruction.finished_at,
            instruction.certificate_id is not None and not hidden,
            instruction.deletion_starts_at,
        )

    @get(
        "/{instruction_id:uuid}/export",
        summary="Download the returned data, by receipt token",
        media_type="application/zip",
    )
    async def export(
        self, instruction_id: FromPath[UUID], token: FromQuery[str], services: AppServices
    ) -> Response[bytes]:
        instruction = await _by_receipt(services, instruction_id, token)
        async with services.database.transaction(Scope.TENANT, instruction.tenant_id) as session:
            export = await service.export_for_download(
                session, instruction.tenant_id, instruction.id
            )
            entry = AuditEntry(
                "export.downloaded", None, "receipt_link", "instruction", instruction.id
            )
            await services.audit.append(session, instruction.tenant_id, entry)
        return _zip(export)

    @get("/{instruction_id:uuid}/certificate", summary="The signed certificate, by receipt token")
    async def certificate(
        self, instruction_id: FromPath[UUID], token: FromQuery[str], services: AppServices
    ) -> CertificateView:
        instruction = await _by_receipt(services, instruction_id, token)
        certificate = await service.visible_certificate(services.database, instruction, client=True)
        return certificate_view(certificate)
