"""Entry module for ``dramatiq timeward.jobs.worker``: the broker and every actor.

Importing it is the worker's start-up: it imports every domain's job modules (from
``timeward.domains.DOMAINS``), so a worker consumes every actor's queue, and installs
the erasure -> processor link. The ``dramatiq`` CLI, the embedded worker and the tests
load this module.
"""

from __future__ import annotations

from types import ModuleType

from tenants.privacy_requests import instructions_link
from timeward.config import load_settings
from timeward.domains import declare_jobs
from timeward.jobs.registry import current_broker
from timeward.observability.logging import configure_logging

# The dramatiq CLI does not run ``timeward``'s own start-up: redacted logs here too.
configure_logging(json=load_settings().log_json)
JOB_MODULES: tuple[ModuleType, ...] = declare_jobs()
instructions_link.install()
broker = current_broker()

__all__ = ["JOB_MODULES", "broker"]
