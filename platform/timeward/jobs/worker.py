"""Entry module for ``dramatiq timeward.jobs.worker``: the broker and every actor.

Import each actor module here: the ``dramatiq`` CLI, the embedded worker and the
tests load this module, so a worker consumes every actor's queue.
"""

from __future__ import annotations

from tenants.locations import jobs as location_jobs
from tenants.privacy_requests import instructions_link
from tenants.privacy_requests import jobs as privacy_request_jobs
from timeward.breaches import jobs as breach_jobs
from timeward.config import load_settings
from timeward.instructions import jobs as instruction_jobs
from timeward.jobs.registry import current_broker
from timeward.mail import jobs as mail_jobs
from timeward.notices import jobs as notice_jobs
from timeward.observability.logging import configure_logging
from timeward.retention import jobs as retention_jobs
from timeward.subprocessors import jobs as sub_processor_jobs

# The dramatiq CLI does not run ``timeward``'s own start-up: redacted logs here too.
configure_logging(json=load_settings().log_json)
broker = current_broker()

__all__ = [
    "breach_jobs",
    "broker",
    "instruction_jobs",
    "instructions_link",
    "location_jobs",
    "mail_jobs",
    "notice_jobs",
    "privacy_request_jobs",
    "retention_jobs",
    "sub_processor_jobs",
]
