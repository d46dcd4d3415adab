"""Response views of support grants."""

from __future__ import annotations

from timeward.support.models import SupportGrant
from timeward.support.schemas import GrantView


def grant_view(grant: SupportGrant) -> GrantView:
    return GrantView(
        grant.id,
        grant.tenant_id,
        grant.reason,
        grant.staff_user_id,
        grant.starts_at,
        grant.expires_at,
        grant.revoked_at,
    )
