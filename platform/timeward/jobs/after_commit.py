"""Enqueue jobs only once the caller's transaction has committed.

A service that writes a row and wants a job for it calls :func:`start_after_commit`
with the same session and the job's registered name: services never import job modules
(the job modules import the services that do their work). Every job module is imported
at start-up by the app and the worker (``timeward.domains.declare_jobs``), so the name is
always declared. The message is kept on the
session and sent by an ``after_commit`` hook, so a worker never looks for a row
that is not committed yet, and a rolled-back transaction sends nothing.

If the broker cannot be reached at that point the failure is logged, not raised
(the data is committed): the row stays pending and the reconciler of that kind
of work enqueues it again later. Work queued inside a savepoint that is later
rolled back is still sent; actors treat a missing row as nothing to do.
"""

from __future__ import annotations

from typing import Any, ParamSpec

import dramatiq
import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from timeward.db.session import ScopedSession
from timeward.jobs.registry import declared_actor

P = ParamSpec("P")
PENDING_KEY = "timeward.jobs.after_commit"

log = structlog.get_logger("timeward.jobs")

_Pending = tuple[dramatiq.Actor[Any, Any], tuple[Any, ...], dict[str, Any]]


def enqueue_after_commit(
    session: AsyncSession, actor: dramatiq.Actor[P, Any], *args: P.args, **kwargs: P.kwargs
) -> None:
    """Send ``actor(*args, **kwargs)`` once this session's transaction commits."""
    pending: list[_Pending] = session.info.setdefault(PENDING_KEY, [])
    pending.append((actor, args, kwargs))


def start_after_commit(session: AsyncSession, job_name: str, *args: Any) -> None:
    """Send the job registered as ``job_name`` with ``args`` once this session commits."""
    enqueue_after_commit(session, declared_actor(job_name), *args)


@event.listens_for(ScopedSession, "after_commit")
def _send_pending(session: Session) -> None:
    pending: list[_Pending] = session.info.pop(PENDING_KEY, [])
    for actor, args, kwargs in pending:
        try:
            actor.send(*args, **kwargs)
        except Exception as exc:  # committed already: the reconciler re-enqueues it
            log.warning(
                "jobs.enqueue_failed", actor_name=actor.actor_name, error=type(exc).__name__
            )


@event.listens_for(ScopedSession, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)
