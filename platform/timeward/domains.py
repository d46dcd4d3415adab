"""The one list of domains: what builds the app's routes, the worker and the scheduler.

Each entry is the ``DOMAIN`` a domain package's ``__init__`` declares (see
``timeward.domain_shape`` for why it names things by reference). The app serves every
domain's controllers (plus the framework's own: health, auth, JWKS), the worker
imports every domain's job modules, and the scheduler enqueues every domain's periodic
jobs. Adding a domain is one line here (docs/architecture.md, "The shape of a domain").

The order is the order of the OpenAPI paths and of the scheduler's table.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import tenants.directory
import tenants.employees
import tenants.locations
import tenants.privacy_requests
import tenants.settings
import tenants.sites
import tenants.time
import timeward.audit
import timeward.authority_requests
import timeward.breaches
import timeward.identity
import timeward.instructions
import timeward.machine
import timeward.mail
import timeward.notices
import timeward.notifications
import timeward.opendsr
import timeward.privacy_notice
import timeward.processing
import timeward.retention
import timeward.sso
import timeward.subprocessors
import timeward.support
import timeward.webhooks
from timeward.domain_shape import Domain, Periodic

DOMAINS: tuple[Domain, ...] = (
    timeward.identity.DOMAIN,
    timeward.sso.DOMAIN,
    timeward.audit.DOMAIN,
    timeward.support.DOMAIN,
    timeward.breaches.DOMAIN,
    timeward.authority_requests.DOMAIN,
    timeward.subprocessors.DOMAIN,
    timeward.processing.DOMAIN,
    timeward.mail.DOMAIN,
    timeward.notices.DOMAIN,
    tenants.employees.DOMAIN,
    tenants.sites.DOMAIN,
    tenants.settings.DOMAIN,
    tenants.directory.DOMAIN,
    tenants.time.DOMAIN,
    tenants.locations.DOMAIN,
    timeward.instructions.DOMAIN,
    timeward.retention.DOMAIN,
    tenants.privacy_requests.DOMAIN,
    timeward.privacy_notice.DOMAIN,
    timeward.notifications.DOMAIN,
    timeward.machine.DOMAIN,
    timeward.webhooks.DOMAIN,
    timeward.opendsr.DOMAIN,
)


def controller_references() -> tuple[str, ...]:
    return tuple(reference for domain in DOMAINS for reference in domain.controllers)


def job_module_names() -> tuple[str, ...]:
    return tuple(module for domain in DOMAINS for module in domain.job_modules)


def declare_jobs() -> tuple[ModuleType, ...]:
    """Import every job module, declaring its actors on the process's broker: services
    start jobs by their registered names (`timeward.jobs.after_commit`)."""
    return tuple(importlib.import_module(name) for name in job_module_names())


def periodic_declarations() -> tuple[Periodic, ...]:
    return tuple(periodic for domain in DOMAINS for periodic in domain.periodic)
