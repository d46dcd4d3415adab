"""Tenants, global user identities, memberships and platform staff."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="identity",
    controllers=(
        "timeward.identity.routes:MeController",
        "timeward.identity.routes:InvitationLinksController",
        "timeward.identity.routes:UsersController",
        "timeward.identity.routes:PlatformTenantsController",
        "timeward.identity.routes:PlatformStaffController",
    ),
)
