"""Who is making the request, as proven by a verified access token."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

PLATFORM_DOMAIN = "platform"


@dataclass(frozen=True)
class Actor:
    user_id: UUID
    tenant_id: UUID | None  # None for platform staff
    role: str
    token_id: str

    @property
    def is_platform(self) -> bool:
        return self.tenant_id is None

    @property
    def domain(self) -> str:
        """The Casbin domain: ``tenant:<id>`` or ``platform``."""
        return PLATFORM_DOMAIN if self.tenant_id is None else f"tenant:{self.tenant_id}"

    def require_tenant(self) -> UUID:
        if self.tenant_id is None:
            raise LookupError("this actor acts for no tenant")
        return self.tenant_id
