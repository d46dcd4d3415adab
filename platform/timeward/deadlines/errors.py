"""Domain errors of the deadline rules.

Every error carries ``message``: a complete sentence that can be shown to the
person who caused it (a client admin, an operator editing the policy file).
"""

from __future__ import annotations

from enum import StrEnum


class DeadlineError(Exception):
    """Base class: a deadline cannot be computed or a change to one is refused."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedCalendar(DeadlineError):
    """The tenant's country, subdivision or timezone is unknown; ``field`` names which."""

    def __init__(self, message: str, *, field: str = "country") -> None:
        super().__init__(message)
        self.field = field


class PolicyError(DeadlineError):
    """``policies/deadlines.toml`` (or another policy file) is malformed."""


class ExtensionRefusal(StrEnum):
    """Why an extension of a data-subject request was refused (stable codes for the API)."""

    NOT_ALLOWED = "extension_not_allowed"
    REASON_REQUIRED = "reason_required"
    DEADLINE_PASSED = "original_deadline_passed"
    NOT_LATER = "not_later_than_current_due"
    TOO_LONG = "extension_too_long"


class ExtensionRefused(DeadlineError):
    """A client admin's extension of a data-subject request breaks a rule."""

    def __init__(self, code: ExtensionRefusal, message: str) -> None:
        super().__init__(message)
        self.code = code
