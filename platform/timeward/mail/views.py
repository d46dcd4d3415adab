"""Response views of mail preferences."""

from __future__ import annotations

from collections.abc import Sequence

from timeward.mail.preferences import Choice
from timeward.mail.schemas import MailChoiceView


def choice_views(choices: Sequence[Choice]) -> list[MailChoiceView]:
    return [MailChoiceView(c.topic, c.subscribed, c.chosen) for c in choices]
