"""The names the privacy jobs are registered under.

The jobs module imports this service (a job's work is done by the service), so the
service never imports it back: it starts a job by its registered name after commit
(`timeward.jobs.after_commit.start_after_commit`).
"""

from __future__ import annotations

from timeward.jobs.after_commit import start_after_commit

BUILD_EXPORT = "build_privacy_export"
ERASE_SUBJECT = "erase_privacy_subject"
SCRUB_CONTACT = "scrub_requester_contact"
MATCH_PUBLIC = "match_public_request"
JOB_NAMES = (BUILD_EXPORT, ERASE_SUBJECT, SCRUB_CONTACT, MATCH_PUBLIC)

__all__ = ["JOB_NAMES", "start_after_commit"]
