"""Outbound e-mail: a tenant-scoped outbox table delivered by a background job.

Features call :func:`timeward.mail.service.queue_email` inside their transaction;
the ``send_email`` actor delivers after commit. Mail is never sent inside an HTTP
request.
Every mail has a category (essential or optional, ``timeward.mail.categories``); members
choose their optional mail (``timeward.mail.preferences``).
"""

from timeward.domain_shape import At, Domain, Every, Periodic

DOMAIN = Domain(
    name="mail",
    controllers=(
        "timeward.mail.routes:MyMailPreferencesController",
        "timeward.mail.routes:MailSettingsController",
        "timeward.mail.routes:ProductNewsController",
    ),
    job_modules=("timeward.mail.jobs",),
    periodic=(
        Periodic("timeward.mail.jobs:reconcile_outbound_emails", Every(minutes=5)),
        # daily, so a week whose Monday run was missed still gets its digests
        Periodic("timeward.mail.jobs:send_weekly_digests", At(hour=6, minute=30)),
    ),
)
