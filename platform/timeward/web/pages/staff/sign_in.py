"""Platform staff sign in to the pages: the same ``AuthService.authenticate`` (in the
platform domain) as ``POST /api/v1/auth/token`` with tenant ``platform``, so the same
throttle, audit events and single answer for every failure; only the answer is a staff
session (``timeward.auth.staff_sessions``) in the same cookie as a tenant's."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Template
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

from timeward import clock
from timeward.auth.actor import PLATFORM_DOMAIN
from timeward.auth.service import LoginRejected, LoginThrottled
from timeward.auth.staff_sessions import open_staff_session
from timeward.web.dependencies import AppServices
from timeward.web.pages.auth_pages import (
    REJECTED,
    TOO_MANY_SIGN_INS,
    address_of,
    safe_next,
    throttled_page,
)
from timeward.web.pages.layout import PUBLIC_PAGE, Form, redirect, render
from timeward.web.pages.staff.layout import STAFF_HOME
from timeward.web.sessions import lifetimes, session_cookie

Field = Annotated[str, msgspec.Meta(max_length=1024)]


class StaffSignInForm(msgspec.Struct):
    email: Field = ""
    password: Field = ""
    next: Field = ""


def _page(
    request: Request[Any, Any, Any], form: StaffSignInForm, error: str | None, status: int = 200
) -> Template:
    return render(
        request,
        "staff/sign_in.html",
        form=form,
        error=error,
        retry_after=None,
        status_code=status,
    )


class StaffSignInPages(Controller):
    opt = PUBLIC_PAGE

    @get("/staff/sign-in", include_in_schema=False)
    async def sign_in_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str] = ""
    ) -> Response[Any]:
        return _page(request, StaffSignInForm(next=next[:1024]), None)

    @post("/staff/sign-in", include_in_schema=False)
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[StaffSignInForm, Form],
        services: AppServices,
    ) -> Response[Any]:
        shown = msgspec.structs.replace(data, password="")
        try:
            signed_in = await services.auth.authenticate(
                data.email.strip(), data.password, PLATFORM_DOMAIN, address_of(request)
            )
        except LoginThrottled as exc:
            page = _page(request, shown, TOO_MANY_SIGN_INS, HTTP_429_TOO_MANY_REQUESTS)
            return throttled_page(page, exc)
        except LoginRejected:
            return _page(request, shown, REJECTED, 401)
        cookie = await open_staff_session(
            services.database,
            signed_in.user_id,
            signed_in.role,
            clock.now(),
            lifetimes(services.settings),
        )
        response = redirect(safe_next(data.next, STAFF_HOME))
        response.set_cookie(session_cookie(request, cookie, services.settings))
        return response
