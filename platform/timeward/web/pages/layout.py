"""What every page shows around its content: the tenant, the signed-in person and role,
the navigation the role may use (asked of the same Casbin policy as the guard), and a
flash message left by the previous POST (post-redirect-get)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.privacy_requests.service import tenant_name
from timeward.auth.actor import Actor
from timeward.authz.enforcer import PolicyEnforcer
from timeward.authz.guard import PUBLIC, requires
from timeward.web.i18n import (
    CATALOGUES,
    LANGUAGE_COOKIE,
    LANGUAGES,
    N_,
    language_of,
    template_functions,
)

FLASH_COOKIE = "timeward_flash"
Form = Body(media_type=RequestEncodingType.URL_ENCODED)  # how every page form is posted
# Flash messages are chosen by key, so a forged cookie can only pick one of these texts.
FLASHES = {
    "clocked_in": N_("You are clocked in."),
    "clocked_out": N_("You are clocked out. The time entry waits for your manager's approval."),
    "request_filed": N_("Your request was sent to your employer, who will answer it."),
    "request_joined": N_("You already had an open request of this type: this one was added to it."),
    "notification_read": N_("Marked as read."),
    "signed_out": N_("You are signed out."),
    "sso_saved": N_("Single sign-on is saved: the provider's discovery was checked."),
    "sso_removed": N_("Single sign-on is off: people sign in with their password."),
}
# Codes shown to people (roles, request types and statuses, approval states), in words.
LABELS = {
    "employee": N_("employee"),
    "client_manager": N_("client manager"),
    "client_admin": N_("client admin"),
    "access": N_("access"),
    "rectification": N_("rectification"),
    "erasure": N_("erasure"),
    "restriction": N_("restriction"),
    "portability": N_("portability"),
    "objection": N_("objection"),
    "consent_withdrawal": N_("withdrawal of consent"),
    "received": N_("received"),
    "identity_pending": N_("identity pending"),
    "in_progress": N_("in progress"),
    "extended": N_("extended"),
    "completed": N_("completed"),
    "refused": N_("refused"),
    "pending": N_("pending"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "precise": N_("precise position"),
    "geofence": N_("on site or not (geofence)"),
    "off": N_("no location"),
}


def page_options(permission: dict[str, Any]) -> dict[str, Any]:
    """A page route's ``opt``: its permission (or PUBLIC), marked as a page."""
    return {**permission, "page": True}


PUBLIC_PAGE = page_options(PUBLIC)


def page(resource: str, action: str) -> dict[str, Any]:
    return page_options(requires(resource, action))


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    resource: str
    action: str


NAVIGATION = (
    NavItem("/home", N_("Home"), "me", "read"),
    NavItem("/my/time", N_("My time"), "me_time", "read"),
    NavItem("/my/data", N_("My data"), "me", "read"),
    NavItem("/my/privacy-requests", N_("My privacy requests"), "my_privacy_requests", "read"),
    NavItem("/my/notifications", N_("Notifications"), "my_notifications", "read"),
    NavItem("/admin/settings/sso", N_("Single sign-on"), "sso_settings", "read"),
)


@dataclass(frozen=True)
class Viewer:
    tenant_name: str
    role: str
    display_name: str
    navigation: list[NavItem]
    time_zone: str = "UTC"  # the tenant's; every time on a page is shown in it


def time_functions(time_zone: str) -> dict[str, Any]:
    """``when`` (an instant, in the zone, the zone named) and ``day`` (a date) for
    templates: the one place a page formats a time."""
    zone = ZoneInfo(time_zone)

    def when(instant: datetime | None, pattern: str = "%d %b %Y, %H:%M") -> str:
        if instant is None:
            return ""
        local = instant.astimezone(zone)
        return f"{local.strftime(pattern)} {local.tzname()}"

    def day(value: date | datetime | None, pattern: str = "%d %b %Y") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(zone)
        return value.strftime(pattern)

    return {"when": when, "day": day, "time_zone": time_zone}


def actor_of(request: Request[Any, Any, Any]) -> Actor | None:
    actor = request.scope.get("user")
    return actor if isinstance(actor, Actor) else None


async def viewer_of(
    request: Request[Any, Any, Any], session: AsyncSession, actor: Actor, display_name: str
) -> Viewer:
    enforcer: PolicyEnforcer = request.app.state.enforcer
    navigation = [
        item
        for item in NAVIGATION
        if enforcer.allows(actor.role, actor.domain, item.resource, item.action)
    ]
    name = await tenant_name(session, actor.require_tenant())
    return Viewer(name, actor.role, display_name, navigation)


def render(
    request: Request[Any, Any, Any],
    template: str,
    *,
    viewer: Viewer | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """The page in the request's language, with the flash message of the previous POST
    (then forgotten)."""
    flash = FLASHES.get(request.cookies.get(FLASH_COOKIE, ""))
    cookies = [Cookie(key=FLASH_COOKIE, value="", max_age=0, path="/")] if flash else []
    language = language_of(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language", "")
    )
    catalogue = CATALOGUES[language]

    def label(code: str) -> str:
        return catalogue.gettext(LABELS.get(code, code))

    return Template(
        template_name=template,
        context={
            "viewer": viewer,
            "flash": flash,
            "path": request.url.path,
            "language": language,
            "languages": LANGUAGES,
            "label": label,
            **template_functions(language),
            **time_functions(viewer.time_zone if viewer else "UTC"),
            **context,
        },
        status_code=status_code,
        cookies=cookies,
    )


def redirect(to: str, *, flash: str | None = None) -> Response[Any]:
    """See-other after a POST, carrying one flash message by key."""
    cookies = []
    if flash is not None:
        assert flash in FLASHES
        cookies.append(
            Cookie(key=FLASH_COOKIE, value=flash, path="/", httponly=True, samesite="lax")
        )
    return Redirect(to, status_code=HTTP_303_SEE_OTHER, cookies=cookies)
