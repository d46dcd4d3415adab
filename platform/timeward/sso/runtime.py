"""What one process keeps for single sign-on: the providers' key sets it has fetched,
the key that derives each sign-in's PKCE verifier and nonce from its ``state``, and the
HTTP client settings (a timeout on every call to a provider)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ssl

import httpx

from timeward.config import Settings
from timeward.crypto.master_key import derive_key
from timeward.sso.provider import ProviderKeys

STATE_KEY_PURPOSE = "sso-state"
CALLBACK_PATH = "/sso/callback"


class SsoRuntime:
    def __init__(self, settings: Settings, master_key: bytes) -> None:
        self.settings = settings
        self.keys = ProviderKeys(settings.sso.jwks_refetch_seconds)
        self._state_key = derive_key(master_key, STATE_KEY_PURPOSE)
        # One TLS context for every call to a provider: building one per client costs
        # tens of milliseconds (it loads the system's certificate authorities).
        self.tls = ssl.create_default_context()

    @property
    def allow_loopback_http(self) -> bool:
        """Plain HTTP to a provider on this machine, in development and tests only."""
        return not self.settings.is_production

    @property
    def redirect_uri(self) -> str:
        """The one redirect URI of the deployment (every tenant registers this one)."""
        return self.settings.public_url.rstrip("/") + CALLBACK_PATH

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self.settings.sso.timeout_seconds, verify=self.tls)

    def derived(self, purpose: str, state: str) -> str:
        """The PKCE verifier or nonce of a sign-in, recomputed from its ``state``: nothing
        secret about a sign-in is stored, and only this deployment can compute them."""
        mac = hmac.new(self._state_key, f"{purpose}|{state}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
