"""Errors on page routes are pages: the status and wording come from the API's own
handlers (``timeward.web.errors``), only the body is HTML. An anonymous visitor refused a
page is sent to sign-in instead of a 403."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from timeward.errors import DomainError
from timeward.web.errors import (
    domain_error_handler,
    http_exception_handler,
    unexpected_exception_handler,
)
from timeward.web.i18n import N_
from timeward.web.pages.layout import actor_of, render

TITLES = {
    400: N_("That did not work"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    409: N_("Not possible now"),
    410: N_("No longer available"),
    422: N_("That did not work"),
    429: N_("Too many attempts"),
}
UNEXPECTED = N_("Something went wrong")


def _as_page(request: Request[Any, Any, Any], answer: Response[Any]) -> Response[Any]:
    status = answer.status_code or 500
    if status in (401, 403) and actor_of(request) is None and request.method == "GET":
        target = quote(request.url.path, safe="/")
        staff = request.url.path == "/staff" or request.url.path.startswith("/staff/")
        sign_in = "/staff/sign-in" if staff else "/sign-in"
        return Redirect(f"{sign_in}?next={target}", status_code=HTTP_303_SEE_OTHER)
    content = answer.content if isinstance(answer.content, dict) else {}
    retry_after = answer.headers.get("Retry-After")
    page = render(
        request,
        "error.html",
        status_code=status,
        title=TITLES.get(status, UNEXPECTED),
        detail=content.get("detail", ""),
        status=status,
        retry_after=retry_after,
    )
    if retry_after:
        page.headers["Retry-After"] = retry_after
    return page


def page_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return _as_page(request, http_exception_handler(request, exc))


def page_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return _as_page(request, domain_error_handler(request, exc))


def page_unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    return _as_page(request, unexpected_exception_handler(request, exc))


PAGE_EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    HTTPException: page_http_error,
    DomainError: page_domain_error,
    Exception: page_unexpected_error,
}
