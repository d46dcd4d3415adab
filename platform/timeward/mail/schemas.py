"""Mail preferences at the HTTP edge: request bodies and response structs (no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from timeward.fields import OneLine, Text
from timeward.mail.categories import Topic


class MailChoiceView(msgspec.Struct):
    topic: Topic
    subscribed: bool  # whether this mail is sent to me now
    chosen: bool  # false: the default applies (the employer's for digests; no consent)


class MailChoice(msgspec.Struct, forbid_unknown_fields=True):
    subscribed: bool


class MailSettings(msgspec.Struct, forbid_unknown_fields=True):
    # opt_in: the weekly digests go only to those who ask; opt_out: to everyone who may
    # receive them until they unsubscribe
    digest_default: Literal["opt_in", "opt_out"]


class MailSettingsView(msgspec.Struct):
    digest_default: str


class NewProductNews(msgspec.Struct, forbid_unknown_fields=True):
    subject: OneLine  # mailed as "<processor> product news: <subject>"
    body: Text


class ProductNewsView(msgspec.Struct):
    id: UUID
    subject: str  # as mailed: "<processor> product news: <subject>"
    created_at: datetime
    recipients: int | None  # mails queued, once the job has run
    sent_at: datetime | None
