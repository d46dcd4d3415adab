"""Who is making the request, as proven by a verified access token."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from timeward.acting import Acting
from timeward.errors import NotFound

PLATFORM_DOMAIN = "platform"


@dataclass(frozen=True)
class MachineGrant:
    """What a machine client's token carries: the client, its secret generation and the
    scopes granted (docs/machine-api.md)."""

    client_id: UUID
    generation: int
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Actor:
    user_id: UUID
    tenant_id: UUID | None  # None for platform staff
    role: str
    token_id: str
    support_grant_id: UUID | None = None  # platform staff reading under a client's grant
    machine: MachineGrant | None = None  # a tenant's machine client, not a person

    @property
    def acting(self) -> Acting:
        """What services record: this person and the role they act in."""
        return Acting(self.user_id, self.role)

    @property
    def is_platform(self) -> bool:
        return self.tenant_id is None

    @property
    def is_processor_staff(self) -> bool:
        """Platform staff, whether acting platform-wide or inside a tenant under a grant."""
        return self.tenant_id is None or self.support_grant_id is not None

    @property
    def domain(self) -> str:
        """The Casbin domain: ``tenant:<id>`` or ``platform``."""
        return PLATFORM_DOMAIN if self.tenant_id is None else f"tenant:{self.tenant_id}"

    def under_grant(self, tenant_id: UUID, grant_id: UUID, role: str) -> Actor:
        """This staff member reading inside a tenant under that tenant's support grant."""
        return replace(self, tenant_id=tenant_id, role=role, support_grant_id=grant_id)

    def require_tenant(self) -> UUID:
        """The tenant acted for; a platform-wide actor has none, so nothing is found."""
        if self.tenant_id is None:
            raise NotFound()
        return self.tenant_id
