"""Token endpoints and the JWKS (public: they are how one gets authenticated)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_202_ACCEPTED,
    HTTP_204_NO_CONTENT,
    HTTP_403_FORBIDDEN,
    HTTP_429_TOO_MANY_REQUESTS,
)

from timeward.auth.service import (
    LoginRejected,
    LoginThrottled,
    PasswordSignInRefused,
    TokenPair,
)
from timeward.auth.tokens import InvalidToken
from timeward.authz.guard import PUBLIC
from timeward.fields import Email, NewPassword, Password, Slug
from timeward.identity import credentials
from timeward.web.authentication import unauthorized
from timeward.web.dependencies import AppServices

SSO_ONLY = "This organisation signs in with single sign-on: use its identity provider."
RESET_ANSWER = "If this address has an account there, a reset link is on its way."


class TokenRequest(msgspec.Struct):
    email: Email
    password: Password
    tenant: Slug


class RefreshRequest(msgspec.Struct):
    refresh_token: str


class TokenResponse(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


class ResetRequest(msgspec.Struct):
    email: Email
    tenant: Slug


class NewPasswordBody(msgspec.Struct):
    password: NewPassword


class Accepted(msgspec.Struct):
    detail: str


def _address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _throttled(exc: LoginThrottled, detail: str) -> HTTPException:
    return HTTPException(
        status_code=HTTP_429_TOO_MANY_REQUESTS,
        detail=detail,
        headers={"Retry-After": str(exc.retry_after)},
    )


def token_response(pair: TokenPair) -> TokenResponse:
    return TokenResponse(pair.access_token, pair.refresh_token, pair.expires_in)


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    opt = PUBLIC

    @post("/token", status_code=HTTP_200_OK, summary="Log in with e-mail, password and tenant")
    async def token(
        self, data: JSONBody[TokenRequest], request: Request[Any, Any, Any], services: AppServices
    ) -> TokenResponse:
        try:
            pair = await services.auth.login(
                data.email, data.password, data.tenant, _address(request)
            )
        except LoginThrottled as exc:
            raise _throttled(exc, "Too many failed logins. Try again later.") from exc
        except PasswordSignInRefused as exc:
            raise HTTPException(status_code=HTTP_403_FORBIDDEN, detail=SSO_ONLY) from exc
        except LoginRejected as exc:
            raise unauthorized("Invalid e-mail, password or tenant.") from exc
        return token_response(pair)

    @post("/refresh", status_code=HTTP_200_OK, summary="Exchange a refresh token (single use)")
    async def refresh(self, data: JSONBody[RefreshRequest], services: AppServices) -> TokenResponse:
        try:
            return token_response(await services.auth.refresh(data.refresh_token))
        except InvalidToken as exc:
            raise unauthorized(f"Invalid refresh token: {exc}.") from exc

    @post("/logout", status_code=HTTP_204_NO_CONTENT, summary="Revoke a refresh token family")
    async def logout(self, data: JSONBody[RefreshRequest], services: AppServices) -> None:
        await services.auth.logout(data.refresh_token)

    @post(
        "/password-reset",
        status_code=HTTP_202_ACCEPTED,
        summary="E-mail a password-reset link (the same answer whether the account exists)",
    )
    async def request_password_reset(
        self, data: JSONBody[ResetRequest], request: Request[Any, Any, Any], services: AppServices
    ) -> Accepted:
        try:
            await credentials.throttled_reset(
                services.database,
                services.settings,
                services.auth,
                data.email,
                data.tenant,
                _address(request),
            )
        except LoginThrottled as exc:
            raise _throttled(exc, "Too many password-reset requests. Try again later.") from exc
        return Accepted(RESET_ANSWER)

    @post(
        "/password-reset/{token:str}",
        status_code=HTTP_204_NO_CONTENT,
        summary="Choose a new password with a reset link (single use); every session ends",
    )
    async def reset_password(
        self, token: FromPath[str], data: JSONBody[NewPasswordBody], services: AppServices
    ) -> None:
        await credentials.complete_reset(services.database, services.auth, token, data.password)


class JwksController(Controller):
    tags = ["auth"]
    opt = PUBLIC

    @get("/.well-known/jwks.json", summary="Public keys that verify access tokens")
    async def jwks(self, services: AppServices) -> dict[str, Any]:
        return await services.keys.published()
