"""Outbound e-mail: a tenant-scoped outbox table delivered by a background job.

Features call :func:`timeward.mail.service.queue_email` inside their transaction;
the ``send_email`` actor delivers after commit. Mail is never sent inside an HTTP
request.
"""

from timeward.domain_shape import Domain, Every, Periodic

DOMAIN = Domain(
    name="mail",
    job_modules=("timeward.mail.jobs",),
    periodic=(Periodic("timeward.mail.jobs:reconcile_outbound_emails", Every(minutes=5)),),
)
