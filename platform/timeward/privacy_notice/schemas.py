"""Request and response structs of the notice routes (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from timeward.privacy_notice.models import NoticeKind

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=50_000, pattern=r"\S")]
Summary = Annotated[str, msgspec.Meta(min_length=1, max_length=4000, pattern=r"\S")]
Number = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]


class TenantNoticeView(msgspec.Struct):
    number: int
    significant: bool
    published_at: datetime
    effective_from: datetime
    in_force: bool
    changed: list[str]
    digest: str
    url: str
    content: dict[str, Any]


class TenantNoticeOverview(msgspec.Struct):
    in_force: TenantNoticeView
    upcoming: list[TenantNoticeView]
    versions: list[int]


class PlatformNoticeBody(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    body: Text
    summary: Summary
    significant: bool
    effective_from: Annotated[datetime, msgspec.Meta(tz=True)] | None = None


class PlatformNoticeView(msgspec.Struct):
    number: int
    title: str
    body: str
    summary: str
    significant: bool
    published_at: datetime
    effective_from: datetime
    digest: str
    url: str
    answers: int = 0
    opted_out: int = 0


class NoticeAnswerBody(msgspec.Struct, forbid_unknown_fields=True):
    kind: NoticeKind
    number: Number
    opt_out: bool = False


class NoticeAnswerView(msgspec.Struct):
    kind: NoticeKind
    number: int
    opted_out: bool
    acknowledged_at: datetime
