"""Start the privacy jobs after commit, by the names they are registered under.

The jobs module imports this service (a job's work is done by the service), so the
service does not import it back: it asks the process's broker for the actor by name.
The actors are declared wherever a process loads its jobs: the worker's entry module,
and the privacy routes in the API process.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from timeward.jobs.after_commit import enqueue_after_commit
from timeward.jobs.registry import current_broker

BUILD_EXPORT = "build_privacy_export"
ERASE_SUBJECT = "erase_privacy_subject"
SCRUB_CONTACT = "scrub_requester_contact"
MATCH_PUBLIC = "match_public_request"
JOB_NAMES = (BUILD_EXPORT, ERASE_SUBJECT, SCRUB_CONTACT, MATCH_PUBLIC)


def start_after_commit(session: AsyncSession, job_name: str, *args: str) -> None:
    """Send the job named ``job_name`` with ``args`` once the session's transaction commits."""
    enqueue_after_commit(session, current_broker().get_actor(job_name), *args)
