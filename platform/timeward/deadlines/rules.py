"""The deadline policy: numbers loaded from ``policies/deadlines.toml``.

Each rule is a frozen dataclass of whole days (or months) that validates itself;
the loader maps TOML tables onto them and refuses unknown or missing keys, so a typo
in the policy file fails at start-up instead of silently changing a deadline.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from timeward.deadlines.errors import PolicyError
from timeward.deadlines.tenant_calendar import TenantCalendar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

REPO_ROOT = Path(__file__).resolve().parents[3]
POLICY_FILE = REPO_ROOT / "policies" / "deadlines.toml"
DEFAULT_JURISDICTION = "default"


def _require_positive(rule: object, *names: str) -> None:
    for name in names:
        value = getattr(rule, name)
        if value is not None and value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")


@dataclass(frozen=True)
class SubjectRequestRule:
    """Due date and extension limits of a data-subject request in one jurisdiction."""

    calendar_months: int | None = None
    max_days: int | None = None
    max_extension_months: int | None = None
    max_extension_days: int | None = None

    def __post_init__(self) -> None:
        if self.calendar_months is None and self.max_days is None:
            raise ValueError("a rule needs calendar_months, max_days or both")
        _require_positive(self, *(field.name for field in fields(self)))

    @property
    def allows_extension(self) -> bool:
        return self.max_extension_months is not None or self.max_extension_days is not None


@dataclass(frozen=True)
class TrafficLightRule:
    """Red at or below ``red_max_days_left`` calendar days left, amber up to ``amber_...``."""

    red_max_days_left: int
    amber_max_days_left: int

    def __post_init__(self) -> None:
        if not 0 <= self.red_max_days_left < self.amber_max_days_left:
            raise ValueError("need 0 <= red_max_days_left < amber_max_days_left")


@dataclass(frozen=True)
class InstructionRule:
    """The processor's deadline for a client instruction."""

    business_days: int
    subject_request_buffer_days: int
    escalation_business_days: int

    def __post_init__(self) -> None:
        _require_positive(self, "business_days")


@dataclass(frozen=True)
class BreachRule:
    """The processor's deadline for notifying clients of a breach."""

    notice_business_days: int

    def __post_init__(self) -> None:
        _require_positive(self, "notice_business_days")


@dataclass(frozen=True)
class DeadlinePolicy:
    """All deadline rules; ``subject_requests`` is keyed by jurisdiction (``"default"``,
    ``"US"``, ``"US-CA"``). Shared process-wide, so loaded policies are read-only."""

    subject_requests: Mapping[str, SubjectRequestRule]
    traffic_light: TrafficLightRule
    instructions: InstructionRule
    breaches: BreachRule

    def __post_init__(self) -> None:
        if DEFAULT_JURISDICTION not in self.subject_requests:
            raise ValueError(f"[subject_requests.{DEFAULT_JURISDICTION}] is required")

    def subject_request_rule(self, calendar: TenantCalendar) -> SubjectRequestRule:
        """The most specific rule: ``"US-CA"``, then ``"US"``, then ``"default"``."""
        for key in (*calendar.jurisdiction_keys, DEFAULT_JURISDICTION):
            if key in self.subject_requests:
                return self.subject_requests[key]
        raise AssertionError("unreachable: the default rule is validated on construction")


_Rule = TypeVar("_Rule", bound="DataclassInstance")

# TOML table name -> DeadlinePolicy field, for the tables holding a single rule.
_SINGLE_RULES: dict[str, tuple[str, type[Any]]] = {
    "subject_request_status": ("traffic_light", TrafficLightRule),
    "instructions": ("instructions", InstructionRule),
    "breaches": ("breaches", BreachRule),
}


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PolicyError(f"{where} must be a table.")
    return value


def _rule(cls: type[_Rule], value: object, where: str) -> _Rule:
    """Build one rule dataclass from a TOML table of non-negative integers."""
    table = _table(value, where)
    known = {field.name: field for field in fields(cls)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {', '.join(unknown)}.")
    missing = sorted(
        name for name, field in known.items() if field.default is MISSING and name not in table
    )
    if missing:
        raise PolicyError(f"{where}: missing key(s) {', '.join(missing)}.")
    for key, item in table.items():
        if type(item) is not int or item < 0:
            raise PolicyError(f"{where}: {key} must be a whole number >= 0, got {item!r}.")
    try:
        return cls(**table)
    except ValueError as error:
        raise PolicyError(f"{where}: {error}.") from error


def parse_policy(data: Mapping[str, object], source: str = "<policy>") -> DeadlinePolicy:
    """Validate a parsed policy document; errors name ``source`` and the table."""
    expected = {"subject_requests", *_SINGLE_RULES}
    unknown = sorted(set(data) - expected)
    if unknown:
        raise PolicyError(f"{source}: unknown table(s) {', '.join(unknown)}.")
    missing = sorted(expected - set(data))
    if missing:
        raise PolicyError(f"{source}: missing table(s) {', '.join(missing)}.")
    subject_requests = {
        key: _rule(SubjectRequestRule, value, f"{source}: [subject_requests.{key}]")
        for key, value in _table(data["subject_requests"], f"{source}: [subject_requests]").items()
    }
    singles = {
        attribute: _rule(cls, data[name], f"{source}: [{name}]")
        for name, (attribute, cls) in _SINGLE_RULES.items()
    }
    try:
        return DeadlinePolicy(subject_requests=MappingProxyType(subject_requests), **singles)
    except ValueError as error:
        raise PolicyError(f"{source}: {error}.") from error


def load_policy(path: Path = POLICY_FILE) -> DeadlinePolicy:
    """Read and validate a policy file."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PolicyError(f"Cannot read the deadline policy {path}: {error}.") from error
    return parse_policy(data, str(path))


@cache
def default_policy() -> DeadlinePolicy:
    """``policies/deadlines.toml``, read once per process."""
    return load_policy()


def resolve_policy(policy: DeadlinePolicy | None) -> DeadlinePolicy:
    return default_policy() if policy is None else policy
