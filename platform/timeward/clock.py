"""The current time, read in one place so that tests can fix it.

Services that compare against deadlines (breach notices, objection windows) call
``clock.now()`` through the module, so ``monkeypatch.setattr(clock, "now", ...)``
fixes the time for the API and the in-process worker alike.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return datetime.now(UTC)
