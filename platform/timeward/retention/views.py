"""Response views of retention periods and purge reports."""

from __future__ import annotations

from timeward.retention.models import RetentionRun
from timeward.retention.schemas import PeriodView, RunView
from timeward.retention.service import Period


def period_view(period: Period) -> PeriodView:
    c = period.category
    return PeriodView(
        c.name,
        c.table,
        period.days,
        c.days,
        c.min_days,
        c.max_days,
        c.configurable,
        period.overridden,
    )


def run_view(run: RetentionRun) -> RunView:
    return RunView(run.started_at, run.finished_at, run.counts, run.skipped)
