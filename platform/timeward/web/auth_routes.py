"""Token endpoints and the JWKS (public: they are how one gets authenticated)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import HTTPException
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT, HTTP_429_TOO_MANY_REQUESTS

from timeward.auth.service import LoginRejected, LoginThrottled, TokenPair
from timeward.auth.tokens import InvalidToken
from timeward.authz.guard import PUBLIC
from timeward.web.authentication import unauthorized
from timeward.web.dependencies import AppServices
from timeward.web.schemas import Email, Password, Slug


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


def _response(pair: TokenPair) -> TokenResponse:
    return TokenResponse(pair.access_token, pair.refresh_token, pair.expires_in)


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    opt = PUBLIC

    @post("/token", status_code=HTTP_200_OK, summary="Log in with e-mail, password and tenant")
    async def token(
        self, data: JSONBody[TokenRequest], request: Request[Any, Any, Any], services: AppServices
    ) -> TokenResponse:
        address = request.client.host if request.client else "unknown"
        try:
            pair = await services.auth.login(data.email, data.password, data.tenant, address)
        except LoginThrottled as exc:
            raise HTTPException(
                status_code=HTTP_429_TOO_MANY_REQUESTS,
                detail="Too many failed logins. Try again later.",
                headers={"Retry-After": str(exc.retry_after)},
            ) from exc
        except LoginRejected as exc:
            raise unauthorized("Invalid e-mail, password or tenant.") from exc
        return _response(pair)

    @post("/refresh", status_code=HTTP_200_OK, summary="Exchange a refresh token (single use)")
    async def refresh(self, data: JSONBody[RefreshRequest], services: AppServices) -> TokenResponse:
        try:
            return _response(await services.auth.refresh(data.refresh_token))
        except InvalidToken as exc:
            raise unauthorized(f"Invalid refresh token: {exc}.") from exc

    @post("/logout", status_code=HTTP_204_NO_CONTENT, summary="Revoke a refresh token family")
    async def logout(self, data: JSONBody[RefreshRequest], services: AppServices) -> None:
        await services.auth.logout(data.refresh_token)


class JwksController(Controller):
    tags = ["auth"]
    opt = PUBLIC

    @get("/.well-known/jwks.json", summary="Public keys that verify access tokens")
    async def jwks(self, services: AppServices) -> dict[str, Any]:
        return (await services.keys.current()).public_jwks
