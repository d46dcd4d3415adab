"""One error shape for every response: ``{"status", "detail", ...}``.

Bad input is a 4xx with the offending fields named; anything unexpected is a
logged 500 whose body says nothing about internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from litestar import Litestar, MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Operation
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS, HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DBAPIError

from timeward.auth.rate_limit import RateLimited
from timeward.errors import DomainError

log = structlog.get_logger("timeward.errors")


def error_response(status: int, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    return Response(
        content={"status": status, "detail": detail, **extra},
        status_code=status,
        media_type=MediaType.JSON,
    )


def http_exception_handler(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException) and exc.extra:
        extra["errors"] = exc.extra
    elif isinstance(exc.extra, dict):
        extra.update(exc.extra)
    response = error_response(exc.status_code, exc.detail, **extra)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def too_many_requests(limited: RateLimited, detail: str) -> HTTPException:
    """A 429 telling the caller when to try again."""
    return HTTPException(
        status_code=HTTP_429_TOO_MANY_REQUESTS,
        detail=detail,
        headers={"Retry-After": str(limited.retry_after)},
    )


def domain_error_handler(_request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return error_response(exc.status_code, exc.detail, **exc.extra)


def _sqlstate(exc: DBAPIError) -> str:
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return sqlstate if isinstance(sqlstate, str) else ""


def unexpected_exception_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, DBAPIError):
        sqlstate = _sqlstate(exc)
        if sqlstate.startswith("22"):  # data exception: the client's value
            return error_response(400, "The request contains a value the database cannot accept.")
        if sqlstate == "23505":  # unique violation lost to a concurrent request
            return error_response(409, "This conflicts with data saved at the same time.")
    log.error(
        "http.unhandled_exception",
        exc_type=type(exc).__name__,
        path=request.url.path,
        exc_info=exc,
    )
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error.")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    HTTPException: http_exception_handler,
    DomainError: domain_error_handler,
    Exception: unexpected_exception_handler,
}


class ErrorBody(msgspec.Struct):
    """The body of every 4xx and 5xx response."""

    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


DOCUMENTED_ERRORS = {
    400: "Bad input: the fields at fault are named in `errors`",
    401: "Missing, invalid or expired credentials",
    403: "Your role may not do this",
    404: "Not found (also: another tenant's object)",
    409: "Conflicts with the current state",
    422: "Valid input the rules refuse",
    429: "Too many attempts",
}


@dataclass
class PublicOperation(Operation):
    """A route anyone may call: ``security: []`` overrides the document's bearer default."""

    def __post_init__(self) -> None:
        self.security = []


def document_error_responses(app: Litestar) -> None:
    """Describe our error shape in the OpenAPI schema instead of the framework's default,
    and which routes need no token. Probes (``opt["probe"]``) take no input and no token:
    none of these errors applies to them."""
    spec = {
        code: ResponseSpec(data_container=ErrorBody, description=text, generate_examples=False)
        for code, text in DOCUMENTED_ERRORS.items()
    }
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.opt.get("public"):
                handler.operation_class = PublicOperation
            if not handler.opt.get("probe"):
                handler.responses = {**spec, **(handler.responses or {})}
