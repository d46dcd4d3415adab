"""Re-enqueue processor notices whose message was lost (a periodic job)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dramatiq
import structlog

from timeward.breaches.jobs import send_breach_follow_up, send_breach_notice
from timeward.breaches.models import BreachFollowUpNotice, BreachNotice
from timeward.db.session import Scope
from timeward.jobs.after_commit import enqueue_after_commit
from timeward.jobs.registry import job
from timeward.jobs.runtime import job_database
from timeward.jobs.tenants import tenant_ids
from timeward.notices.delivery import claim_stranded
from timeward.subprocessors.jobs import send_sub_processor_notice
from timeward.subprocessors.models import SubProcessorNotice

# Longer than the notice jobs' longest retry back-off (10 minutes).
STRANDED_AFTER = timedelta(minutes=15)

_KINDS: tuple[tuple[Any, dramatiq.Actor[[str, str], None]], ...] = (
    (BreachNotice, send_breach_notice),
    (BreachFollowUpNotice, send_breach_follow_up),
    (SubProcessorNotice, send_sub_processor_notice),
)

log = structlog.get_logger("timeward.notices")


@job(queue="maintenance", max_retries=0)
async def reconcile_processor_notices() -> None:
    """Each tenant in its own tenant-scoped transaction: unsent notices are sent again.

    A notice waits when its message was lost, its job failed, or the tenant had no
    active client admin to tell; in the last case it is retried until one exists.
    """
    database = job_database()
    total = 0
    for tenant_id in await tenant_ids(database):
        async with database.transaction(Scope.TENANT, tenant_id) as session:
            for model, actor in _KINDS:
                for notice_id in await claim_stranded(
                    session, model, tenant_id, older_than=STRANDED_AFTER
                ):
                    enqueue_after_commit(session, actor, str(tenant_id), str(notice_id))
                    total += 1
    log.info("notices.reconciled", re_enqueued=total)
