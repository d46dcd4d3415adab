"""Who acts: the one value services take to check and record the person or process acting.

The web layer's authenticated principal (`timeward.auth.actor.Actor`, with its token and
any support grant) hands services its ``acting`` value; jobs and the command line act as
``SYSTEM`` or as the person who started them. Services never see tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

SYSTEM_ROLE = "system"
# A tenant's machine client (OAuth2 client credentials): its id is the actor's id.
MACHINE_ROLE = "api_client"


@dataclass(frozen=True)
class Acting:
    """A person by id with the role they held when acting; no id: the system itself."""

    user_id: UUID | None
    role: str

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    @property
    def member_id(self) -> UUID | None:
        """The member acting, for columns that name one: None for the system and for a
        machine client (its id is no member's; the audit event still names it)."""
        return None if self.role == MACHINE_ROLE else self.user_id


SYSTEM = Acting(None, SYSTEM_ROLE)
