"""What every staff page shows around its content: the staff navigation (asked of the
same Casbin policy as the guard), the staff member's role, codes in words, and, while the
session has entered a tenant under a support grant, the banner with the grant's expiry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.response import Template

from timeward.auth.actor import Actor
from timeward.authz.enforcer import PolicyEnforcer
from timeward.db.session import Scope
from timeward.identity.models import Tenant
from timeward.services import Services
from timeward.web.i18n import CATALOGUES, LANGUAGE_COOKIE, N_, language_of
from timeward.web.pages.layout import LABELS, NavItem, Viewer, render
from timeward.web.sessions import SUPPORT_VISIT, SupportVisit

STAFF_HOME = "/staff"
Field = Annotated[str, msgspec.Meta(max_length=4000)]

STAFF_NAVIGATION = (
    NavItem("/staff", N_("Overview"), "platform_instructions", "read"),
    NavItem("/staff/instructions", N_("Instructions"), "platform_instructions", "read"),
    NavItem("/staff/legal-holds", N_("Legal holds"), "platform_legal_holds", "read"),
    NavItem("/staff/breaches", N_("Breaches"), "platform_breaches", "read"),
    NavItem(
        "/staff/authority-requests",
        N_("Authority requests"),
        "platform_authority_requests",
        "read",
    ),
    NavItem(
        "/staff/sub-processors", N_("Sub-processors"), "platform_sub_processor_objections", "read"
    ),
    NavItem("/staff/privacy-notice", N_("Privacy notice"), "platform_privacy_notice", "read"),
    NavItem("/staff/tenants", N_("Tenants"), "tenants", "read"),
    NavItem("/staff/support", N_("Support access"), "platform_support_grants", "read"),
    NavItem("/staff/team", N_("Staff"), "staff", "read"),
)
# Codes of the processor's records, in words (with the layout's own).
STAFF_LABELS = {
    "platform_staff": N_("platform staff"),
    "platform_admin": N_("platform admin"),
    "support_reader": N_("support reader"),
    "delete_subject": N_("delete a subject's data"),
    "return_data": N_("return all data"),
    "offboard_tenant": N_("delete all data (offboarding)"),
    "scheduled": N_("scheduled"),
    "in_processing": N_("in processing"),
    "paused": N_("paused"),
    "failed": N_("failed"),
    "partially_completed": N_("partially completed"),
    "canceled": N_("cancelled"),
    "received": N_("received"),
    "ok": N_("on track"),
    "nearing": N_("nearing the due date"),
    "overdue": N_("overdue"),
    "subject": N_("one subject"),
    "tenant": N_("the whole tenant"),
    "active": N_("active"),
    "disabled": N_("disabled"),
    "suspended": N_("suspended"),
    "offboarding": N_("offboarding"),
    "offboarded": N_("offboarded"),
    "added": N_("added"),
    "changed": N_("changed"),
    "removed": N_("retired"),
}


@dataclass(frozen=True)
class StaffViewer(Viewer):
    support: SupportVisit | None = None
    support_tenant: str = ""


def support_visit(request: Request[Any, Any, Any]) -> SupportVisit | None:
    visit = request.scope.get("state", {}).get(SUPPORT_VISIT)
    return visit if isinstance(visit, SupportVisit) else None


async def staff_viewer(
    request: Request[Any, Any, Any], services: Services, actor: Actor
) -> StaffViewer:
    enforcer: PolicyEnforcer = request.app.state.enforcer
    staff = Actor(actor.user_id, None, _platform_role(actor), actor.token_id)
    navigation = [
        item
        for item in STAFF_NAVIGATION
        if enforcer.allows(staff.role, staff.domain, item.resource, item.action)
    ]
    visit = support_visit(request)
    tenant = ""
    if visit is not None:
        async with services.database.transaction(Scope.PLATFORM, read_only=True) as session:
            found = await session.get(Tenant, visit.tenant_id)
            tenant = found.name if found else ""
    language = language_of(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language", "")
    )
    title = CATALOGUES[language].gettext(N_("Processor console"))
    return StaffViewer(title, actor.role, "", navigation, support=visit, support_tenant=tenant)


def _platform_role(actor: Actor) -> str:
    """Under a grant the actor reads as the support reader; the menu is still staff's."""
    return "platform_staff" if actor.support_grant_id is not None else actor.role


def staff_label(code: str, language: str) -> str:
    catalogue = CATALOGUES[language]
    return catalogue.gettext(STAFF_LABELS.get(code) or LABELS.get(code, code))


def staff_page(
    request: Request[Any, Any, Any],
    template: str,
    viewer: StaffViewer,
    *,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """``render`` with the staff's words for the processor's codes."""
    page = render(request, template, viewer=viewer, status_code=status_code, **context)
    language = page.context["language"]
    page.context["label"] = lambda code: staff_label(str(code), language)
    return page


def uuid_list(text: str) -> list[UUID]:
    """Ids typed one per line or separated by commas; a 400 page for anything else."""
    found = []
    for part in text.replace(",", " ").split():
        try:
            found.append(UUID(part))
        except ValueError as exc:
            raise ValidationException(f"'{part[:40]}' is not an id.") from exc
    return found
