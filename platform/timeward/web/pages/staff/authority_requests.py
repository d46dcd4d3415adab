"""The register of requests from authorities, for platform staff. Each page has the
permission of its API twin (``/api/v1/platform/authority-requests``) and calls the same
audited helpers and views; a form's fields are checked by the API's own request struct."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from timeward.authority_requests import service
from timeward.authority_requests.routes import (
    decide_request,
    disclosure_response,
    record_request,
    register_views,
    review_request_order,
)
from timeward.authority_requests.schemas import (
    DecisionBody,
    NewAuthorityRequestBody,
    OrderReviewBody,
)
from timeward.identity import service as identity
from timeward.identity.views import tenant_view
from timeward.paging import PageRequest
from timeward.web.dependencies import AppServices, CurrentActor, DbSession
from timeward.web.pages.forms import optional, read_form, utc_instant
from timeward.web.pages.layout import Form, page, redirect
from timeward.web.pages.staff.layout import Field, staff_page, staff_viewer, uuid_list
from timeward.web.pagination import RequestedPage

FIRST_200 = PageRequest(limit=200)


class AuthorityRequestForm(msgspec.Struct):
    tenant_id: Field = ""
    authority: Field = ""
    instrument: Field = ""
    reference: Field = ""
    received_at: Field = ""
    subject_ids: Field = ""
    categories: Field = ""
    period_from: Field = ""
    period_to: Field = ""
    deadline: Field = ""
    order_kind: Field = "none"
    order_until: Field = ""
    review_on: Field = ""


class DecisionForm(msgspec.Struct):
    decision: Field = ""
    reason: Field = ""
    disclosed: Field = ""


class OrderReviewForm(msgspec.Struct):
    lift: Field = ""
    review_on: Field = ""


class StaffAuthorityRequestPages(Controller):
    @get(
        "/staff/authority-requests",
        opt=page("platform_authority_requests", "read"),
        include_in_schema=False,
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
        page: RequestedPage,
    ) -> Response[Any]:
        """The register with its open tasks (reviews due) first, and the form."""
        found = await service.register(session, page)
        entries = await register_views(session, found[: page.limit])
        tenants = await identity.list_tenants(session, FIRST_200)
        return staff_page(
            request,
            "staff/authority_requests.html",
            await staff_viewer(request, services, actor),
            entries=entries,
            tasks=[e for e in entries if e.review_due],
            tenants=[tenant_view(t) for t in tenants],
            next_offset=page.offset + page.limit if len(found) > page.limit else None,
            limit=page.limit,
        )

    @post(
        "/staff/authority-requests",
        opt=page("platform_authority_requests", "create"),
        include_in_schema=False,
    )
    async def record(
        self,
        data: Annotated[AuthorityRequestForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        body = read_form(
            {
                "tenant_id": data.tenant_id.strip(),
                "authority": data.authority.strip(),
                "instrument": data.instrument.strip(),
                "reference": data.reference.strip(),
                "received_at": utc_instant(data.received_at),
                "subject_ids": [str(s) for s in uuid_list(data.subject_ids)],
                "categories": [c.strip() for c in data.categories.split(",") if c.strip()],
                "period_from": optional(data.period_from),
                "period_to": optional(data.period_to),
                "deadline": optional(data.deadline),
                "order": {
                    "kind": data.order_kind.strip() or "none",
                    "until": optional(data.order_until),
                    "review_on": optional(data.review_on),
                },
            },
            NewAuthorityRequestBody,
        )
        recorded = await record_request(body, actor, session, services)
        return redirect(f"/staff/authority-requests/{recorded.id}", flash="authority_recorded")

    @get(
        "/staff/authority-requests/{request_id:uuid}",
        opt=page("platform_authority_requests", "read"),
        include_in_schema=False,
    )
    async def entry(
        self,
        request: Request[Any, Any, Any],
        request_id: FromPath[UUID],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        [entry] = await register_views(session, [await service.get_request(session, request_id)])
        return staff_page(
            request,
            "staff/authority_request.html",
            await staff_viewer(request, services, actor),
            entry=entry,
        )

    @post(
        "/staff/authority-requests/{request_id:uuid}/decision",
        opt=page("platform_authority_requests", "update"),
        include_in_schema=False,
    )
    async def decide(
        self,
        request_id: FromPath[UUID],
        data: Annotated[DecisionForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        body = read_form(
            {
                "decision": data.decision.strip(),
                "reason": optional(data.reason),
                "disclosed": optional(data.disclosed),
            },
            DecisionBody,
        )
        decided = await decide_request(request_id, body, actor, session, services)
        flash = "authority_decided" if decided.decision == "refuse" else "authority_disclosing"
        return redirect(f"/staff/authority-requests/{request_id}", flash=flash)

    @post(
        "/staff/authority-requests/{request_id:uuid}/order-review",
        opt=page("platform_authority_requests", "update"),
        include_in_schema=False,
    )
    async def review_order(
        self,
        request_id: FromPath[UUID],
        data: Annotated[OrderReviewForm, Form],
        actor: CurrentActor,
        session: DbSession,
        services: AppServices,
    ) -> Response[Any]:
        body = read_form(
            {"lift": data.lift == "yes", "review_on": optional(data.review_on)}, OrderReviewBody
        )
        await review_request_order(request_id, body, actor, session, services)
        return redirect(f"/staff/authority-requests/{request_id}", flash="authority_reviewed")

    @get(
        "/staff/authority-requests/{request_id:uuid}/disclosure.zip",
        opt=page("platform_authority_requests", "read"),
        include_in_schema=False,
    )
    async def disclosure(self, request_id: FromPath[UUID], session: DbSession) -> Response[bytes]:
        content, sha256 = await service.disclosure_file(session, request_id)
        return disclosure_response(request_id, content, sha256)
