"""Request and response structs of the retention routes (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

Days = Annotated[int, msgspec.Meta(ge=0, le=36500)]


class PeriodView(msgspec.Struct):
    category: str
    table: str
    days: int
    default_days: int
    min_days: int
    max_days: int
    configurable: bool
    overridden: bool


class PeriodChange(msgspec.Struct, forbid_unknown_fields=True):
    days: Days


class RunView(msgspec.Struct):
    started_at: datetime
    finished_at: datetime
    counts: dict[str, int]
    skipped: dict[str, Any]
