"""Machine clients: a tenant's OAuth2 client-credentials clients (create, rotate, revoke),
the token endpoint, and the expiry warnings (docs/machine-api.md)."""

from timeward.domain_shape import At, Domain, Periodic

DOMAIN = Domain(
    name="machine",
    controllers=(
        "timeward.machine.routes:ApiClientsController",
        "timeward.machine.routes:OAuthController",
    ),
    job_modules=("timeward.machine.jobs",),
    periodic=(Periodic("timeward.machine.jobs:warn_expiring_clients", At(hour=6, minute=5)),),
)
