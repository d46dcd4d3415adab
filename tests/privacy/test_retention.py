"""The retention policy is data (policies/retention_bases.toml), validated on load and
checked against the real schema before an erasure changes anything."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from typing import Any
from uuid import uuid4

import pytest

from tenants.privacy_requests.erasure import ErasurePolicyMismatch, check_policy
from tenants.privacy_requests.retention import (
    RETENTION_FILE,
    ErasureAction,
    RetentionPolicyError,
    load_policy,
    parse_policy,
)
from tenants.privacy_requests.subject import load_data_map
from timeward.db.session import Database, Scope


def shipped() -> dict[str, Any]:
    return tomllib.loads(RETENTION_FILE.read_text())


def test_the_shipped_policy_loads() -> None:
    policy = load_policy()
    assert set(policy.bases) >= {"working_time", "accountability", "audit"}
    assert policy.rule("time_entries").action is ErasureAction.RETAIN
    assert policy.rule("time_entries").basis == "working_time"
    assert policy.rule("employees").replace == {"name": "Erased employee"}
    # A table nobody listed (e.g. added later) is deleted.
    assert policy.rule("shift_photos").action is ErasureAction.DELETE


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(extra={}), "unknown table"),
        (lambda d: d["tables"]["employees"].update(colour="red"), "unknown key"),
        (lambda d: d["tables"]["time_entries"].pop("basis"), "needs a basis"),
        (lambda d: d["tables"]["time_entries"].update(basis="whim"), "unknown basis"),
        (lambda d: d["tables"]["employees"].update(action="shred"), "action must be one of"),
        (lambda d: d["bases"].pop("audit"), "[bases.audit] is required"),
        (lambda d: d["bases"]["audit"].pop("explanation"), "needs exactly"),
        (lambda d: d["tables"]["employees"].update(keep="status"), "list of column names"),
    ],
)
def test_a_malformed_policy_is_refused(change: Any, message: str) -> None:
    data = shipped()
    change(data)
    with pytest.raises(RetentionPolicyError, match=message.replace("[", r"\[")):
        parse_policy(data, "test")


async def test_the_shipped_policy_fits_the_schema(db: Database) -> None:
    policy = load_policy()
    async with db.transaction(Scope.TENANT, uuid4()) as session:  # the catalog only
        data_map = await load_data_map(session)
    check_policy(data_map, policy)
    assert {"employees", "clock_events", "time_entries", "memberships", "notifications"} <= set(
        data_map.linked_tables
    )


async def test_a_policy_that_does_not_fit_is_refused_before_anything_changes(
    db: Database,
) -> None:
    policy = load_policy()
    async with db.transaction(Scope.TENANT, uuid4()) as session:
        data_map = await load_data_map(session)
    employees = policy.tables["employees"]
    no_name = replace(policy, tables={**policy.tables, "employees": replace(employees, replace={})})
    with pytest.raises(ErasurePolicyMismatch, match=r"employees\.name may not be empty"):
        check_policy(data_map, no_name)
    typo = replace(
        policy, tables={**policy.tables, "employees": replace(employees, keep=frozenset({"stat"}))}
    )
    with pytest.raises(ErasurePolicyMismatch, match=r"employees\.stat does not exist"):
        check_policy(data_map, typo)
    # Requests deleted (unlisted) while their timeline is kept: the kept rows would dangle.
    kept_events = replace(
        policy, tables={k: v for k, v in policy.tables.items() if k != "privacy_requests"}
    )
    with pytest.raises(ErasurePolicyMismatch, match="references deleted privacy_requests"):
        check_policy(data_map, kept_events)
