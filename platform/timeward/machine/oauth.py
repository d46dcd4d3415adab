"""``POST /oauth/token``: the OAuth2 client-credentials grant (RFC 6749 §4.4), served by
Authlib's authorization-server components (client authentication by
``client_secret_basic`` or ``client_secret_post``, the grant, its errors).

Authlib's server is synchronous and our database and key ring are async: the server runs
in a worker thread and calls back into the event loop (``anyio.from_thread``) to find
the client, count the attempt, sign the token and audit it. The token is the users'
Ed25519 access token with the client as subject (``AccessTokens.issue_for_client``).

Attempts are throttled like logins (``timeward.auth.throttle``): per client and address,
and per address, counted before the secret is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidScopeError, OAuth2Error
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.util import scope_to_list

from timeward.auth.actor import MachineGrant
from timeward.auth.service import LoginThrottled
from timeward.auth.throttle import Bucket
from timeward.db.session import Scope
from timeward.machine import service
from timeward.machine.models import ApiClient
from timeward.services import Services

AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


@dataclass(frozen=True)
class TokenAnswer:
    status: int
    body: dict[str, Any]
    headers: list[tuple[str, str]]


class _Client(ClientMixin):  # type: ignore[misc]
    def __init__(self, record: ApiClient, attempt: _Attempt) -> None:
        self.record = record
        self._attempt = attempt

    def get_client_id(self) -> str:
        return str(self.record.id)

    def check_client_secret(self, client_secret: str) -> bool:
        matches = service.secret_matches(self.record, client_secret)
        if not matches:
            self._attempt.refused = self.record
        return matches

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_grant_type(self, grant_type: str) -> bool:
        return bool(grant_type == ClientCredentialsGrant.GRANT_TYPE)

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(_granted(self.record, scope))


def _granted(record: ApiClient, scope: str | None) -> tuple[str, ...]:
    """No ``scope`` asked: every scope of the client; else the ones asked (all held)."""
    asked = scope_to_list(scope) if scope else record.scopes
    return tuple(sorted(set(asked)))


class _Grant(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def validate_requested_scope(self) -> None:
        """A scope the client does not hold is refused (invalid_scope), not silently dropped."""
        asked = set(scope_to_list(self.request.payload.scope) or [])
        if not asked <= set(self.request.client.record.scopes):
            raise InvalidScopeError()


class _FormRequest(OAuth2Request):  # type: ignore[misc]
    def __init__(self, uri: str, headers: Mapping[str, str], form: dict[str, str]) -> None:
        super().__init__("POST", uri, headers=headers)
        self._form = form
        self.payload = BasicOAuth2Payload(form)

    @property
    def args(self) -> dict[str, str]:
        return {}

    @property
    def form(self) -> dict[str, str]:
        return self._form


@dataclass
class _Attempt:
    address: str
    buckets: list[Bucket] = field(default_factory=list)
    refused: ApiClient | None = None


class _Server(AuthorizationServer):  # type: ignore[misc]
    """One per token request: it holds that request's attempt."""

    def __init__(self, services: Services, attempt: _Attempt) -> None:
        super().__init__()
        self._services = services
        self._attempt = attempt
        self.register_grant(_Grant)
        self.register_token_generator("default", self._generate)

    def query_client(self, client_id: str) -> _Client | None:
        anyio.from_thread.run(self._claim, client_id)
        record = anyio.from_thread.run(service.client_for_token, self._services.database, client_id)
        return _Client(record, self._attempt) if record is not None else None

    async def _claim(self, client_id: str) -> None:
        throttle = self._services.auth.throttle
        self._attempt.buckets = throttle.login_buckets(f"client:{client_id}", self._attempt.address)
        await self._services.auth.claim_attempt(self._attempt.buckets)

    def _generate(self, *, client: _Client, scope: str | None, **_options: Any) -> dict[str, Any]:
        record = client.record
        scopes = _granted(record, scope)
        grant = MachineGrant(record.id, record.generation, scopes)
        tokens = self._services.tokens
        token = anyio.from_thread.run(tokens.issue_for_client, grant, record.tenant_id, scopes)
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": tokens.lifetime_seconds,
            "scope": " ".join(scopes),
        }

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        record = request.client.record
        anyio.from_thread.run(self._succeeded, record, tuple(token["scope"].split()))

    async def _succeeded(self, record: ApiClient, scopes: tuple[str, ...]) -> None:
        database = self._services.database
        async with database.transaction(Scope.AUTH) as session:
            await self._services.auth.throttle.succeeded(session, self._attempt.buckets)
        await service.record_token_issued(database, self._services.audit, record, scopes)

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    def handle_response(
        self, status: int, body: dict[str, Any], headers: list[tuple[str, str]]
    ) -> TokenAnswer:
        return TokenAnswer(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None


async def token_response(
    services: Services, uri: str, headers: Mapping[str, str], form: dict[str, str], address: str
) -> TokenAnswer:
    """Answer one token request. Raises ``LoginThrottled`` when over the attempt limits."""
    attempt = _Attempt(address)
    server = _Server(services, attempt)
    try:
        request = _FormRequest(uri, headers, form)
    except OAuth2Error as error:  # insecure transport: plain http to a non-loopback host
        return server.handle_response(*error())
    answer: TokenAnswer = await anyio.to_thread.run_sync(server.create_token_response, request)
    if attempt.refused is not None:
        await service.record_token_refused(services.database, services.audit, attempt.refused)
    return answer


__all__ = ["LoginThrottled", "TokenAnswer", "token_response"]
