"""Sign-in, sign-out and "forgot password": the same AuthService check, throttle and
password-reset flow as the API; only the answer is a page and a session cookie."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

from tenants.settings.regional import remember_language
from timeward import clock
from timeward.auth.actor import PLATFORM_DOMAIN
from timeward.auth.browser_sessions import open_session
from timeward.auth.service import LoginRejected, LoginThrottled, PasswordSignInRefused
from timeward.db.session import Scope
from timeward.identity import credentials
from timeward.sso import service as sso
from timeward.web.dependencies import AppServices
from timeward.web.i18n import LANGUAGE_COOKIE, LANGUAGES, N_
from timeward.web.pages.layout import PUBLIC_PAGE, Form, actor_of, redirect, render
from timeward.web.sessions import (
    end_session,
    expired_session_cookie,
    is_staff_session,
    lifetimes,
    session_cookie,
)

HOME = "/home"
PLATFORM_NOT_YET = N_("Platform staff sign in on the staff sign-in page, /staff/sign-in.")
TOO_MANY_SIGN_INS = N_("Too many failed sign-ins. Try again in %(seconds)s seconds.")
REJECTED = N_("Wrong e-mail, password or organisation.")
SSO_REQUIRED = N_("This organisation signs in with single sign-on: use the button below.")
TOO_MANY_RESETS = N_("Too many password-reset requests. Try again in %(seconds)s seconds.")
Field = Annotated[str, msgspec.Meta(max_length=1024)]


class SignInForm(msgspec.Struct):
    email: Field = ""
    password: Field = ""
    tenant: Field = ""
    next: Field = ""


class ResetForm(msgspec.Struct):
    email: Field = ""
    tenant: Field = ""


class LanguageForm(msgspec.Struct):
    language: Annotated[str, msgspec.Meta(max_length=8)] = ""
    back: Field = ""


def address_of(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def safe_next(target: str, home: str = HOME) -> str:
    """Only a path of this site (never ``//host`` or a scheme) may follow sign-in."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return home


def _sign_in_page(
    request: Request[Any, Any, Any],
    form: SignInForm,
    error: str | None,
    status: int = 200,
    sso_name: str | None = None,  # the tenant's identity provider, offered when set
) -> Template:
    return render(
        request, "sign_in.html", form=form, error=error, retry_after=None, status_code=status,
        sso_name=sso_name,
    )  # fmt: skip


def throttled_page(page: Template, exc: LoginThrottled) -> Template:
    page.context["retry_after"] = exc.retry_after
    page.headers["Retry-After"] = str(exc.retry_after)
    return page


def _reset_page(
    request: Request[Any, Any, Any],
    form: ResetForm,
    *,
    answered: bool,
    error: str | None = None,
    status: int = 200,
) -> Template:
    """The same page whether or not the address has an account (``answered``)."""
    return render(
        request,
        "forgot_password.html",
        form=form,
        answered=answered,
        error=error,
        retry_after=None,
        status_code=status,
    )


class SignInPages(Controller):
    opt = PUBLIC_PAGE

    @get("/", include_in_schema=False)
    async def root(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return redirect(HOME if actor_of(request) else "/sign-in")

    @get("/sign-in", include_in_schema=False)
    async def sign_in_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str] = ""
    ) -> Response[Any]:
        return _sign_in_page(request, SignInForm(next=next), None)

    @get("/t/{slug:str}/sign-in", include_in_schema=False)
    async def tenant_sign_in_form(
        self, request: Request[Any, Any, Any], slug: FromPath[str], services: AppServices
    ) -> Response[Any]:
        config = await sso.for_slug(services.database, slug[:63])
        sso_name = config.display_name if config else None
        return _sign_in_page(request, SignInForm(tenant=slug[:63]), None, sso_name=sso_name)

    @post("/sign-in", include_in_schema=False)
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[SignInForm, Form],
        services: AppServices,
    ) -> Response[Any]:
        shown = msgspec.structs.replace(data, password="")
        if data.tenant.strip() == PLATFORM_DOMAIN:
            return _sign_in_page(request, shown, PLATFORM_NOT_YET, 400)
        try:
            signed_in = await services.auth.authenticate(
                data.email.strip(), data.password, data.tenant.strip(), address_of(request)
            )
        except LoginThrottled as exc:
            page = _sign_in_page(request, shown, TOO_MANY_SIGN_INS, HTTP_429_TOO_MANY_REQUESTS)
            return throttled_page(page, exc)
        except PasswordSignInRefused:
            config = await sso.for_slug(services.database, data.tenant.strip())
            sso_name = config.display_name if config else None
            return _sign_in_page(request, shown, SSO_REQUIRED, 403, sso_name=sso_name)
        except LoginRejected:
            return _sign_in_page(request, shown, REJECTED, 401)
        assert signed_in.tenant_id is not None
        cookie = await open_session(
            services.database,
            signed_in.tenant_id,
            signed_in.user_id,
            signed_in.role,
            clock.now(),
            lifetimes(services.settings),
        )
        response = redirect(safe_next(data.next))
        response.set_cookie(session_cookie(request, cookie, services.settings))
        return response

    @post("/sign-out", include_in_schema=False)
    async def sign_out(
        self, request: Request[Any, Any, Any], services: AppServices
    ) -> Response[Any]:
        staff = is_staff_session(request)
        actor = actor_of(request)
        await end_session(request, services)
        slug = (
            await sso.provider_logout_slug(services.database, actor.tenant_id)
            if (actor and actor.tenant_id and not staff)
            else None
        )
        after = "/staff/sign-in" if staff else f"/sso/signed-out/{slug}" if slug else "/sign-in"
        response = redirect(after, flash="signed_out")
        response.set_cookie(expired_session_cookie(request))
        return response

    @get("/forgot-password", include_in_schema=False)
    async def forgot_password_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return _reset_page(request, ResetForm(), answered=False)

    @post("/forgot-password", include_in_schema=False)
    async def forgot_password(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[ResetForm, Form],
        services: AppServices,
    ) -> Response[Any]:
        """The same answer whether or not the address has an account there."""
        try:
            await credentials.throttled_reset(
                services.database,
                services.settings,
                services.auth,
                data.email.strip(),
                data.tenant.strip(),
                address_of(request),
            )
        except LoginThrottled as exc:
            page = _reset_page(
                request,
                data,
                answered=False,
                error=TOO_MANY_RESETS,
                status=HTTP_429_TOO_MANY_REQUESTS,
            )
            return throttled_page(page, exc)
        return _reset_page(request, data, answered=True)

    @post("/language", include_in_schema=False)
    async def choose_language(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[LanguageForm, Form],
        services: AppServices,
    ) -> Response[Any]:
        """The person's choice of language, remembered in a cookie (a year) and, signed
        in, for them (their mails are written in it)."""
        response = redirect(safe_next(data.back))
        actor = actor_of(request)
        if data.language in LANGUAGES and actor is not None and actor.tenant_id is not None:
            tenant_id = actor.tenant_id
            async with services.database.transaction(Scope.TENANT, tenant_id) as session:
                await remember_language(session, tenant_id, actor.user_id, data.language)
        if data.language in LANGUAGES:
            response.set_cookie(
                Cookie(
                    key=LANGUAGE_COOKIE, value=data.language, path="/", max_age=365 * 86400,
                    httponly=True, samesite="lax",
                )
            )  # fmt: skip
        return response
