"""Entry module for ``dramatiq timeward.jobs.worker``: the broker and every actor.

Import each actor module here: the ``dramatiq`` CLI, the embedded worker and the
tests load this module, so a worker consumes every actor's queue.
"""

from __future__ import annotations

from tenants.locations import actors as location_actors
from tenants.privacy_requests import actors as privacy_request_actors
from tenants.privacy_requests import instructions_link
from timeward.breaches import actors as breach_actors
from timeward.config import load_settings
from timeward.instructions import actors as instruction_actors
from timeward.jobs.registry import current_broker
from timeward.mail import actors as mail_actors
from timeward.notices import actors as notice_actors
from timeward.observability.logging import configure_logging
from timeward.retention import actors as retention_actors
from timeward.subprocessors import actors as sub_processor_actors

# The dramatiq CLI does not run ``timeward``'s own start-up: redacted logs here too.
configure_logging(json=load_settings().log_json)
broker = current_broker()

__all__ = [
    "breach_actors",
    "broker",
    "instruction_actors",
    "instructions_link",
    "location_actors",
    "mail_actors",
    "notice_actors",
    "privacy_request_actors",
    "retention_actors",
    "sub_processor_actors",
]
