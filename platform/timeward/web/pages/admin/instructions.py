"""The client admin's instructions to the processor: give one (after a confirmation that
says what will happen and when), follow them, download the returned data, read each
certificate with its signature checked against the platform's published keys.

Every handler calls what ``timeward.instructions.routes`` calls, under the same Casbin
permission; see docs/web.md ("The client admin's console")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from tenants.employees.service import get_employee, list_employees
from timeward.authz.guard import requires
from timeward.deadlines.rules import resolve_policy
from timeward.instructions import service
from timeward.instructions.certificate import InvalidCertificate, verify_stored
from timeward.instructions.routes import export_response, new_instruction
from timeward.instructions.schemas import CancelBody, NewInstructionBody
from timeward.instructions.states import Kind, Party, Status, allowed
from timeward.instructions.views import detail_view, instruction_view, progress_summary
from timeward.paging import PageRequest
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.i18n import N_
from timeward.web.pages.forms import api_body
from timeward.web.pages.layout import (
    FormData,
    page,
    page_options,
    redirect,
    render,
    viewer_for,
)

KINDS = {
    Kind.DELETE_SUBJECT: N_(
        "Delete one person's data: everything the platform holds about them is removed or "
        "anonymised, except what a law requires to keep (each kept set is named with its basis)."
    ),
    Kind.RETURN_DATA: N_(
        "Return all data: the platform builds an export of every table of your organisation "
        "for you to download. Nothing is deleted."
    ),
    Kind.OFFBOARD_TENANT: N_(
        "Offboarding: all data is returned to you at once, then, after a grace period, "
        "deleted; every account of your organisation is closed and support access ends."
    ),
}
LIST_PAGE = PageRequest(limit=100)
EMPLOYEES = PageRequest(limit=200)


def _certificate_times(payload: dict[str, Any]) -> dict[str, datetime | date | None]:
    """The payload's ISO times as values ``when()`` and ``day()`` show. A stored payload
    someone altered may lack them or hold other text: those show empty (the page then
    says the certificate is not valid)."""
    instruction = payload.get("instruction") or {}
    execution = payload.get("execution") or {}

    def instant(value: object) -> datetime | None:
        try:
            return datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    due = instant(instruction.get("due_on"))
    return {
        "issued_at": instant(payload.get("issued_at")),
        "received_at": instant(instruction.get("received_at")),
        "due_on": due.date() if due else None,
        "started_at": instant(execution.get("started_at")),
        "finished_at": instant(execution.get("finished_at")),
        "data_key": instant(payload.get("data_key")),
    }


class AdminInstructionPages(Controller):
    path = "/admin/instructions"
    include_in_schema = False

    @get("/", opt=page("instructions", "read"))
    async def list_instructions(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session: DbSession
    ) -> Response[Any]:
        tenant_id = actor.require_tenant()
        rows = await service.list_instructions(session, tenant_id, LIST_PAGE)
        progress = await service.progress_by_instruction(session, tenant_id, [i.id for i in rows])
        people = await list_employees(session, tenant_id, EMPLOYEES, None)
        return render(
            request,
            "admin/instructions.html",
            viewer=await viewer_for(request, session, actor),
            instructions=[
                (instruction_view(i, client=True), progress_summary(i, progress[i.id]))
                for i in rows[: LIST_PAGE.limit]
            ],
            kinds=KINDS,
            employees=people[: EMPLOYEES.limit],
        )

    @get("/confirm", opt=page("instructions", "create"))
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """What giving this instruction now would do; nothing is written yet."""
        body = api_body(dict(request.query_params), NewInstructionBody)
        tenant_id = actor.require_tenant()
        preview = await service.preview_instruction(
            session,
            tenant_id,
            new_instruction(body),
            actor.acting,
            offboarding_grace=services.settings.offboarding_grace,
        )
        subject = None
        if body.subject_id is not None:
            subject = await get_employee(session, tenant_id, body.subject_id)
        return render(
            request,
            "admin/instruction_confirm.html",
            viewer=await viewer_for(request, session, actor),
            body=body,
            preview=preview,
            subject=subject,
            explanation=KINDS[body.kind],
            grace_days=services.settings.offboarding_grace_days,
            business_days=resolve_policy(None).instructions.business_days,
        )

    @post("/", opt=page("instructions", "create"))
    async def give(
        self, data: FormData, actor: CurrentActor, session: DbSession, services: AppServices
    ) -> Response[Any]:
        body = api_body(data, NewInstructionBody)
        instruction = await service.create_instruction(
            session,
            actor.require_tenant(),
            new_instruction(body),
            actor.acting,
            audit=services.audit,
            offboarding_grace=services.settings.offboarding_grace,
        )
        return redirect(f"/admin/instructions/{instruction.id}", flash="instruction_given")

    @get("/{instruction_id:uuid}", opt=page("instructions", "read"))
    async def detail(
        self,
        request: Request[Any, Any, Any],
        instruction_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
    ) -> Response[Any]:
        found = await service.detail(
            session, actor.require_tenant(), instruction_id, client_view=True
        )
        view = detail_view(found, client=True)
        return render(
            request,
            "admin/instruction.html",
            viewer=await viewer_for(request, session, actor),
            item=view,
            may_cancel=allowed(Status(view.instruction.status), Status.CANCELED, Party.CLIENT),
        )

    @post("/{instruction_id:uuid}/cancel", opt=page("instructions", "cancel"))
    async def cancel(
        self,
        instruction_id: FromPath[UUID],
        data: FormData,
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        body = api_body(data, CancelBody)
        await service.cancel_by_client(
            session,
            services.audit,
            actor.require_tenant(),
            instruction_id,
            actor.acting,
            body.reason,
        )
        return redirect(f"/admin/instructions/{instruction_id}", flash="instruction_cancelled")

    @get(
        "/{instruction_id:uuid}/export",
        opt=page_options(requires("instructions", "export", personal_data=True)),
    )
    async def download_export(
        self,
        instruction_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[bytes]:
        """The returned data (audited as downloaded, like the API's download)."""
        export = await service.download_export(
            session, services.audit, actor.require_tenant(), instruction_id, actor.acting
        )
        return export_response(export)

    @get("/{instruction_id:uuid}/certificate", opt=page("instructions", "read"))
    async def certificate(
        self,
        request: Request[Any, Any, Any],
        instruction_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        """The certificate, readable, and whether its signature verifies against the keys
        published at /.well-known/jwks.json (the same check a client runs)."""
        certificate = await service.latest_certificate(
            session, actor.require_tenant(), instruction_id
        )
        payload, problem = None, None
        try:
            payload = verify_stored(
                certificate.jws, certificate.payload, await services.keys.published()
            )
        except InvalidCertificate as error:
            problem = str(error)
        return render(
            request,
            "admin/certificate.html",
            viewer=await viewer_for(request, session, actor),
            certificate=certificate,
            payload=payload,  # only what verifies is shown
            times=_certificate_times(payload) if payload else {},
            valid=problem is None,
            problem=problem,
        )
