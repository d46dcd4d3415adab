"""What every page shows around its content: the tenant, the signed-in person and role,
the navigation the role may use (asked of the same Casbin policy as the guard), and a
flash message left by the previous POST (post-redirect-get)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.settings.regional import member_locale
from timeward.auth.actor import Actor
from timeward.authz.enforcer import PolicyEnforcer
from timeward.authz.guard import PUBLIC, requires
from timeward.privacy_notice.service import Banner, pending_banners
from timeward.translations import DEFAULT_LANGUAGE, Translator, translator
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
FormData = Annotated[dict[str, str], Form]  # a form read whole, by `forms.api_body`
# Flash messages are chosen by key, so a forged cookie can only pick one of these texts.
FLASHES = {
    "clocked_in": N_("You are clocked in."),
    "clocked_out": N_("You are clocked out. The time entry waits for your manager's approval."),
    "request_filed": N_("Your request was sent to your employer, who will answer it."),
    "request_joined": N_("You already had an open request of this type: this one was added to it."),
    "transfer_confirmed": N_("Confirmed: the organisation you named was sent a download link."),
    "transfer_cancelled": N_("Cancelled: nothing was sent to the organisation you named."),
    "location_limit_lifted": N_("The location limit is lifted; the employee is told."),
    "notification_read": N_("Marked as read."),
    "notice_acknowledged": N_("Thank you: your answer to the privacy notice change is recorded."),
    "notice_opted_out": N_(
        "You opted out: your data is not used for the optional uses (marketing)."
    ),
    "directory_left": N_("You are no longer shown in the colleague directory."),
    "directory_joined": N_("You are shown in the colleague directory again."),
    "signed_out": N_("You are signed out."),
    # Timesheets (the client's console)
    "entry_added": N_("The time entry was added. It waits for approval."),
    "entry_corrected": N_("The time entry was corrected. It waits for approval again."),
    "entry_approved": N_("The time entry was approved."),
    "entry_rejected": N_("The time entry was rejected."),
    "month_locked": N_("The month is closed for payroll."),
    "month_reopened": N_("The month is open again. The reason is on the audit log."),
    # the client admin's workforce pages (web/pages/admin/workforce.py)
    "employee_created": N_("The employee was added."),
    "employee_saved": N_("The employee's record was saved."),
    "employee_deactivated": N_("The employee is marked as having left."),
    "user_invited": N_("The invitation was sent by e-mail. The person sets their own password."),
    "role_changed": N_("The role was changed. The person's open sessions have ended."),
    "user_disabled": N_("The account is disabled. The person's open sessions have ended."),
    "user_enabled": N_("The account is active again."),
    "site_created": N_("The job site was added."),
    "site_saved": N_("The job site was saved."),
    "location_saved": N_("The location setting was saved. Employees see the new text."),
    "directory_saved": N_("The colleague directory setting was saved."),
    "invitation_accepted": N_("Your account is ready. Sign in with your new password."),
    "identity_verified": N_("The requester's identity is recorded as verified."),
    "request_extended": N_("The deadline is extended; the requester is told the reason."),
    "request_refused": N_("The request is refused; the requester is told the reason."),
    "request_completed": N_("The request is completed; the requester is told."),
    "export_started": N_("The export is being built; the requester is told when it is ready."),
    "erasure_started": N_("The erasure is running; its result appears on this page."),
    "rectified": N_("The details are corrected (audited); the requester is told."),
    "flags_applied": N_("The flags are set; the requester is told."),
    "restriction_lifted": N_("The person was told, and the restriction is lifted."),
    # the client admin's instructions and accountability pages
    "instruction_given": N_("The instruction was sent to the processor."),
    "instruction_cancelled": N_("The instruction was withdrawn."),
    "breach_acknowledged": N_("Receipt of the breach notice is acknowledged."),
    "objection_sent": N_("Your objection was sent to the processor."),
    "support_granted": N_("Support access is granted."),
    "support_revoked": N_("Support access is revoked."),
    "controller_details_saved": N_("Your details for the record of processing are saved."),
    "retention_saved": N_("The retention period is saved."),
    # the staff console
    "instruction_changed": N_("The instruction's status is changed."),
    "instructions_retried": N_("The failed instructions run again from where each stopped."),
    "hold_placed": N_("The legal hold is recorded."),
    "hold_released": N_("The legal hold is released."),
    "breach_recorded": N_("The breach is recorded; every affected client is being notified."),
    "follow_up_added": N_("The information is added; the same clients are being told."),
    "authority_recorded": N_(
        "The request is in the register; the client is told unless an order forbids it."
    ),
    "authority_decided": N_("The decision is recorded."),
    "authority_disclosing": N_("The decision is recorded; the disclosure is being exported."),
    "authority_reviewed": N_("The review of the order is recorded."),
    "registry_changed": N_(
        "The registry changed; every client is told, with its objection window."
    ),
    "tenant_created": N_("The tenant is created; its first admin was invited by e-mail."),
    "tenant_changed": N_("The tenant's status is changed."),
    "support_entered": N_("You entered the tenant under its support grant: read only."),
    "support_left": N_("You left the tenant."),
    "staff_invited": N_("The invitation is on its way."),
    "staff_changed": N_("The staff member is changed; their sessions have ended."),
    "sso_saved": N_("Single sign-on is saved: the provider's discovery was checked."),
    "sso_removed": N_("Single sign-on is off: people sign in with their password."),
    # API clients and webhooks (docs/machine-api.md)
    "api_client_revoked": N_("The API client is revoked: its tokens are refused from now on."),
    "webhook_removed": N_("The webhook endpoint and its delivery log are removed."),
    "webhook_enabled": N_("The endpoint is enabled again; what waited is delivered in order."),
    "webhook_redelivered": N_("The event is queued to be sent again."),
    # optional mail (web/pages/mail_pages.py)
    "mail_saved": N_("Your mail preference is saved; it applies from the next e-mail."),
    "digest_default_saved": N_("The default for the weekly digests is saved."),
}
# Codes shown to people (roles, request types and statuses, approval states), in words.
LABELS = {
    "none": N_("none"),
    "until_date": N_("until a date"),
    "until_reviewed": N_("until reviewed"),
    "disclose_full": N_("disclose in full"),
    "disclose_partial": N_("disclose in part"),
    "refuse": N_("refuse"),
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
    # a portability request's transfer to another organisation
    "transfer_awaiting": N_("waiting for the requester's confirmation"),
    "transfer_sent": N_("sent"),
    "transfer_cancelled": N_("cancelled by the requester"),
    "pending": N_("pending"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "precise": N_("precise position"),
    "geofence": N_("on site or not (geofence)"),
    "off": N_("no location"),
    "active": N_("active"),
    "left": N_("left"),
    "disabled": N_("disabled"),
    # instructions to the processor: kinds and statuses
    "delete_subject": N_("delete a person's data"),
    "return_data": N_("return all data"),
    "offboard_tenant": N_("offboarding: return all data, then delete it"),
    "scheduled": N_("scheduled"),
    "in_processing": N_("in processing"),
    "paused": N_("paused"),
    "partially_completed": N_("partially completed"),
    "failed": N_("failed"),
    "canceled": N_("withdrawn"),
    # sub-processor registry changes
    "added": N_("added"),
    "changed": N_("changed"),
    "removed": N_("removed"),
    "support_reader": N_("platform support, under your grant"),
}


def page_options(permission: dict[str, Any]) -> dict[str, Any]:
    """A page route's ``opt``: its permission (or PUBLIC), marked as a page."""
    return {**permission, "page": True}


PUBLIC_PAGE = page_options(PUBLIC)


def page(resource: str, action: str, *, personal_data: bool = False) -> dict[str, Any]:
    """``personal_data``: a read of other people's personal data, audited when staff make it
    (the same audit event as its API twin's, ``personal_data.read``)."""
    return page_options(requires(resource, action, personal_data=personal_data))


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
    NavItem("/my/directory", N_("Directory"), "directory", "read"),
    NavItem("/my/mail", N_("My e-mails"), "me_mail", "read"),
    NavItem("/my/privacy-notice", N_("Privacy notice"), "privacy_notice", "read"),
    NavItem("/admin/timesheets", N_("Timesheets"), "time_entries", "read"),
    # the client admin's workforce pages: each item has its page's permission
    NavItem("/admin/employees", N_("Employees"), "employee_contact", "read"),
    NavItem("/admin/users", N_("Users and roles"), "users", "read"),
    NavItem("/admin/sites", N_("Sites"), "sites", "update"),
    NavItem("/admin/settings/location", N_("Location setting"), "settings", "read"),
    NavItem("/admin/privacy-requests", N_("Privacy requests"), "privacy_requests", "read"),
    NavItem("/admin/instructions", N_("Instructions"), "instructions", "read"),
    NavItem("/admin/breaches", N_("Accountability"), "breaches", "read"),
    NavItem("/admin/settings/sso", N_("Single sign-on"), "sso_settings", "read"),
    NavItem("/admin/api-clients", N_("API clients"), "api_clients", "read"),
    NavItem("/admin/webhooks", N_("Webhooks"), "webhooks", "read"),
)


@dataclass(frozen=True)
class Viewer:
    tenant_name: str
    role: str
    display_name: str
    navigation: list[NavItem]
    time_zone: str = "UTC"  # the tenant's; every time on a page is shown in it
    languages: tuple[str, ...] = tuple(LANGUAGES)  # those the tenant offers
    default_language: str = DEFAULT_LANGUAGE  # the tenant's
    language: str | None = None  # the person's own choice, remembered for them
    # significant privacy-notice changes not in force yet that they have not answered
    banners: tuple[Banner, ...] = ()


@cache
def _names(language: str) -> dict[str, tuple[Callable[[date], int], Mapping[int, str]]]:
    """Per directive: which number of a date picks the name, and the names by number."""
    return {
        "%a": (date.weekday, get_day_names("abbreviated", locale=language)),
        "%A": (date.weekday, get_day_names("wide", locale=language)),
        "%b": (_month, get_month_names("abbreviated", locale=language)),
        "%B": (_month, get_month_names("wide", locale=language)),
    }


def _month(value: date) -> int:
    return value.month


def _strftime(value: date | datetime, pattern: str, language: str) -> str:
    """``strftime`` with day and month names in the page's language (``%a %A %b %B``)."""
    if language != DEFAULT_LANGUAGE:
        for directive, (number, names) in _names(language).items():
            if directive in pattern:
                pattern = pattern.replace(directive, names[number(value)])
    return value.strftime(pattern)


def time_functions(time_zone: str, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """``when`` (an instant, in the zone, the zone named) and ``day`` (a date) for
    templates: the one place a page formats a time."""
    zone = ZoneInfo(time_zone)

    def when(instant: datetime | None, pattern: str = "%d %b %Y, %H:%M") -> str:
        if instant is None:
            return ""
        local = instant.astimezone(zone)
        return f"{_strftime(local, pattern, language)} {local.tzname()}"

    def day(value: date | datetime | None, pattern: str = "%d %b %Y") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(zone)
        return _strftime(value, pattern, language)

    return {"when": when, "day": day, "time_zone": time_zone}


def actor_of(request: Request[Any, Any, Any]) -> Actor | None:
    actor = request.scope.get("user")
    return actor if isinstance(actor, Actor) else None


def page_language(request: Request[Any, Any, Any], viewer: Viewer | None) -> str:
    """The person's choice (the switch's cookie, else the one remembered for them), else
    the browser's Accept-Language among the tenant's languages, else the tenant's default;
    signed out, every language is offered and English is the default."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    accept = request.headers.get("accept-language", "")
    if viewer is None:
        return language_of(chosen, accept)
    if chosen not in viewer.languages:
        chosen = viewer.language
    return language_of(chosen, accept, viewer.languages, viewer.default_language)


def page_translator(request: Request[Any, Any, Any], viewer: Viewer | None) -> Translator:
    """For texts a service writes on a page (``describe(policy, t)``...)."""
    return translator(page_language(request, viewer))


async def viewer_for(
    request: Request[Any, Any, Any], session: AsyncSession, actor: Actor
) -> Viewer:
    """The viewer, named as their employee record names them (blank without one)."""
    enforcer: PolicyEnforcer = request.app.state.enforcer
    navigation = [
        item
        for item in NAVIGATION
        if enforcer.allows(actor.role, actor.domain, item.resource, item.action)
    ]
    locale = await member_locale(session, actor.require_tenant(), actor.user_id)
    regional = locale.regional
    return Viewer(
        locale.tenant_name,
        actor.role,
        locale.employee_name,
        navigation,
        regional.time_zone,
        regional.languages,
        regional.default_language,
        locale.language,
        tuple(await pending_banners(session, actor.require_tenant(), actor.user_id, actor.role)),
    )


def labeller(language: str) -> Callable[[str], str]:
    """A code (role, request type, status...) in words of the language."""
    catalogue = CATALOGUES[language]

    def label(code: str) -> str:
        return catalogue.gettext(LABELS.get(code, code))

    return label


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
    language = page_language(request, viewer)
    return Template(
        template_name=template,
        context={
            "viewer": viewer,
            "flash": flash,
            "path": request.url.path,
            "language": language,
            "languages": {
                code: name
                for code, name in LANGUAGES.items()
                if viewer is None or code in viewer.languages
            },
            "label": labeller(language),
            **template_functions(language),
            **time_functions(viewer.time_zone if viewer else "UTC", language),
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
