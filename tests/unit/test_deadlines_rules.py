"""The deadline policy is data: policies/deadlines.toml, validated on load."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from timeward.deadlines import (
    PolicyError,
    TenantCalendar,
    default_policy,
    load_policy,
    parse_policy,
    subject_request_due,
)
from timeward.deadlines.rules import POLICY_FILE, SubjectRequestRule


def policy_document() -> dict[str, Any]:
    with POLICY_FILE.open("rb") as file:
        return tomllib.load(file)


def test_the_shipped_policy_holds_the_documented_numbers() -> None:
    policy = default_policy()
    assert policy.subject_requests["default"] == SubjectRequestRule(
        calendar_months=1, max_days=30, max_extension_months=2
    )
    assert policy.subject_requests["US-CA"] == SubjectRequestRule(
        max_days=45, max_extension_days=45
    )
    assert (policy.traffic_light.red_max_days_left, policy.traffic_light.amber_max_days_left) == (
        3,
        10,
    )
    assert policy.instructions.business_days == 30
    assert policy.instructions.subject_request_buffer_days == 5
    assert policy.instructions.escalation_business_days == 5
    assert policy.breaches.notice_business_days == 7


def test_the_shared_policy_cannot_be_mutated() -> None:
    with pytest.raises(TypeError):
        default_policy().subject_requests["DE"] = SubjectRequestRule(max_days=90)  # type: ignore[index]


@pytest.mark.parametrize(
    ("calendar", "expected_key"),
    [
        (TenantCalendar("US", "CA"), "US-CA"),
        (TenantCalendar("US", "TX"), "default"),
        (TenantCalendar("US"), "default"),
        (TenantCalendar("DE", "BY"), "default"),
    ],
)
def test_most_specific_rule_applies(calendar: TenantCalendar, expected_key: str) -> None:
    policy = default_policy()
    assert policy.subject_request_rule(calendar) == policy.subject_requests[expected_key]


def test_a_country_rule_covers_its_subdivisions_unless_they_have_their_own() -> None:
    document = policy_document()
    document["subject_requests"]["US"] = {"max_days": 40}
    policy = parse_policy(document)
    assert policy.subject_request_rule(TenantCalendar("US", "TX")) == SubjectRequestRule(
        max_days=40
    )
    assert policy.subject_request_rule(TenantCalendar("US", "CA")).max_days == 45


def test_a_new_jurisdiction_is_a_data_change(tmp_path: Path) -> None:
    # Brazil's LGPD answers an access request within 15 days; no code change needed.
    path = tmp_path / "deadlines.toml"
    path.write_text(POLICY_FILE.read_text() + '\n[subject_requests."BR"]\nmax_days = 15\n')
    policy = load_policy(path)
    received = date(2027, 1, 31)
    assert subject_request_due(received, TenantCalendar("BR"), policy=policy) == date(2027, 2, 15)
    assert subject_request_due(received, TenantCalendar("DE"), policy=policy) == date(2027, 2, 28)


def _broken(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(policy_document())
    change(document)
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            _broken(lambda d: d["subject_requests"]["default"].update(max_day=30)),
            r"\[subject_requests.default\]: unknown key\(s\) max_day",
        ),
        (
            _broken(lambda d: d["subject_requests"].pop("default")),
            r"\[subject_requests.default\] is required",
        ),
        (
            _broken(lambda d: d["subject_requests"].update(XX={"max_extension_days": 10})),
            "needs calendar_months, max_days or both",
        ),
        (
            _broken(lambda d: d["subject_requests"]["default"].update(max_days=0)),
            "max_days must be at least 1",
        ),
        (
            _broken(lambda d: d["instructions"].update(business_days=-30)),
            "business_days must be a whole number >= 0",
        ),
        (
            _broken(lambda d: d["instructions"].update(business_days=30.5)),
            "business_days must be a whole number >= 0",
        ),
        (
            _broken(lambda d: d["breaches"].update(notice_business_days=True)),
            "notice_business_days must be a whole number >= 0",
        ),
        (
            _broken(lambda d: d["instructions"].pop("escalation_business_days")),
            r"missing key\(s\) escalation_business_days",
        ),
        (
            _broken(lambda d: d["subject_request_status"].update(red_max_days_left=10)),
            "red_max_days_left < amber_max_days_left",
        ),
        (_broken(lambda d: d.pop("breaches")), r"missing table\(s\) breaches"),
        (_broken(lambda d: d.update(holidays={})), r"unknown table\(s\) holidays"),
        (_broken(lambda d: d.update(breaches=7)), r"\[breaches\] must be a table"),
    ],
)
def test_a_malformed_policy_is_refused_with_a_clear_message(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(document, "deadlines.toml")


def test_an_unreadable_policy_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="Cannot read the deadline policy"):
        load_policy(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[instructions\nbusiness_days = 30\n")
    with pytest.raises(PolicyError, match="Cannot read the deadline policy"):
        load_policy(broken)
