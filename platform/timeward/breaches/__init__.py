"""Personal-data breaches (GDPR Art. 33(2)): platform staff record an incident, every
affected client's admins are told by e-mail and in the app, and the record shows per
client when notice was sent and acknowledged against the 7-working-day limit."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="breaches",
    controllers=(
        "timeward.breaches.routes:PlatformBreachesController",
        "timeward.breaches.routes:BreachesController",
    ),
    job_modules=("timeward.breaches.jobs",),
)
