"""Single sign-on in the browser: start at the tenant's identity provider, come back to
``/sso/callback`` with a session (the same server-side session as password sign-in),
and, after sign-out, the provider's own logout when it advertises one. The rules are in
``timeward.sso`` (docs/identity-and-roles.md, "Single sign-on")."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from timeward import clock
from timeward.auth.browser_sessions import open_session
from timeward.sso import service, signin
from timeward.sso.provider import SsoError
from timeward.web.dependencies import AppServices
from timeward.web.i18n import N_
from timeward.web.pages.auth_pages import safe_next
from timeward.web.pages.layout import PUBLIC_PAGE, render
from timeward.web.sessions import is_https, lifetimes, session_cookie

SSO_COOKIE = "timeward_sso"  # binds a callback to the browser that started the sign-in
# Why a sign-in was refused, by the service's reason category, in words.
REASONS = {
    "not_configured": N_("Single sign-on is not available for this organisation."),
    "bad_state": N_(
        "This sign-in link is not valid, or it was started in another browser. Start again."
    ),
    "state_reused": N_("This sign-in was already used. Start again."),
    "state_expired": N_("This sign-in took too long. Start again."),
    "provider_refused": N_("The identity provider did not sign you in."),
    "provider_unavailable": N_(
        "The identity provider is not answering right now. Try again later, or ask your "
        "organisation's administrator."
    ),
    "code_refused": N_("The identity provider refused this sign-in. Start again."),
    "bad_token": N_("The identity provider's answer could not be verified."),
    "bad_signature": N_("The identity provider's answer could not be verified."),
    "unknown_key": N_("The identity provider's answer could not be verified."),
    "no_email": N_("The identity provider did not tell us your e-mail address."),
    "unverified_email": N_("Your identity provider has not verified your e-mail address."),
    "domain_not_allowed": N_("Your e-mail domain is not allowed to sign in to this organisation."),
    "no_membership": N_("You have no active account in this organisation. Ask its administrator."),
}
UNKNOWN_REASON = N_("Single sign-on did not work. Start again.")


def _sso_cookie(request: Request[Any, Any, Any], value: str, max_age: int) -> Cookie:
    return Cookie(
        key=SSO_COOKIE, value=value, path="/sso", max_age=max_age, httponly=True,
        samesite="lax", secure=is_https(request),
    )  # fmt: skip


def _refused(request: Request[Any, Any, Any], exc: SsoError) -> Response[Any]:
    return render(
        request,
        "sso_error.html",
        status_code=exc.status_code,
        reason=REASONS.get(exc.reason, UNKNOWN_REASON),
        status=exc.status_code,
    )


class SsoPages(Controller):
    opt = PUBLIC_PAGE

    @get("/sso/start", include_in_schema=False)
    async def start(
        self,
        request: Request[Any, Any, Any],
        services: AppServices,
        tenant: FromQuery[str] = "",
        next: FromQuery[str] = "",
    ) -> Response[Any]:
        try:
            started = await signin.start(
                services.database, services.sso, tenant.strip()[:63], safe_next(next)
            )
        except SsoError as exc:
            return _refused(request, exc)
        minutes = services.settings.sso.login_minutes
        cookie = _sso_cookie(request, started.browser_secret, minutes * 60)
        return Redirect(started.authorization_url, status_code=HTTP_303_SEE_OTHER, cookies=[cookie])

    @get("/sso/callback", include_in_schema=False)
    async def callback(
        self,
        request: Request[Any, Any, Any],
        services: AppServices,
        sso_state: Annotated[str, QueryParameter(name="state")] = "",  # "state" is reserved
        code: FromQuery[str] = "",
        error: FromQuery[str] = "",
    ) -> Response[Any]:
        flow = signin.SsoSignIn(services.database, services.sso, services.data_keys, services.audit)
        callback = signin.Callback(
            sso_state[:200], code[:2048], error[:200], request.cookies.get(SSO_COOKIE, "")
        )
        try:
            signed_in, next_path = await flow.complete(callback)
        except SsoError as exc:
            return _refused(request, exc)
        cookie = await open_session(
            services.database,
            signed_in.tenant_id,
            signed_in.user_id,
            signed_in.role,
            clock.now(),
            lifetimes(services.settings),
        )
        return Redirect(
            safe_next(next_path),
            status_code=HTTP_303_SEE_OTHER,
            cookies=[
                session_cookie(request, cookie, services.settings),
                _sso_cookie(request, "", 0),
            ],
        )

    @get("/sso/signed-out/{slug:str}", include_in_schema=False)
    async def signed_out(
        self, request: Request[Any, Any, Any], services: AppServices, slug: FromPath[str]
    ) -> Response[Any]:
        """Signed out here; the identity provider's own logout offered when it has one."""
        slug = slug[:63]
        config = await service.for_slug(services.database, slug)
        url = service.logout_url(config, services.settings.public_url, slug) if config else None
        return render(request, "sso_signed_out.html", logout_url=url, slug=slug)
