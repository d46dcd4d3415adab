"""The instruction state machine is a pure table: every edge, and everything off it."""

from __future__ import annotations

import itertools
from uuid import uuid4

import pytest

from timeward.acting import SYSTEM, Acting
from timeward.instructions.receipts import check_receipt_token, receipt_token
from timeward.instructions.states import (
    OPEN,
    REASON_REQUIRED,
    RUNNABLE,
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    OpenDsrStatus,
    Party,
    ReasonRequired,
    Status,
    check_transition,
    next_statuses,
    open_dsr_status,
    party_of,
)

S, P = Status, Party

# The table written out again by hand: (from, to) -> who may.
EXPECTED = {
    (S.RECEIVED, S.SCHEDULED): {P.SYSTEM, P.STAFF},
    (S.RECEIVED, S.REJECTED): {P.STAFF},
    (S.RECEIVED, S.CANCELED): {P.CLIENT, P.STAFF},
    (S.SCHEDULED, S.IN_PROCESSING): {P.SYSTEM},
    (S.SCHEDULED, S.PAUSED): {P.STAFF},
    (S.SCHEDULED, S.REJECTED): {P.STAFF},
    (S.SCHEDULED, S.CANCELED): {P.CLIENT, P.STAFF},
    (S.IN_PROCESSING, S.COMPLETED): {P.SYSTEM},
    (S.IN_PROCESSING, S.PARTIALLY_COMPLETED): {P.SYSTEM},
    (S.IN_PROCESSING, S.FAILED): {P.SYSTEM},
    (S.IN_PROCESSING, S.PAUSED): {P.STAFF},
    (S.IN_PROCESSING, S.SCHEDULED): {P.SYSTEM},  # an offboarding waits out its grace period
    (S.PAUSED, S.SCHEDULED): {P.STAFF},
    (S.PAUSED, S.CANCELED): {P.CLIENT, P.STAFF},
    (S.FAILED, S.SCHEDULED): {P.STAFF},
    (S.FAILED, S.CANCELED): {P.CLIENT, P.STAFF},
    (S.PARTIALLY_COMPLETED, S.SCHEDULED): {P.SYSTEM, P.STAFF},
}


def test_table_is_exactly_the_documented_one() -> None:
    assert {edge: set(who) for edge, who in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(
    ("current", "target", "party"),
    list(itertools.product(Status, Status, Party)),
    ids=lambda v: str(v),
)
def test_every_move_is_allowed_iff_on_the_table(
    current: Status, target: Status, party: Party
) -> None:
    reason = "because"
    if party in EXPECTED.get((current, target), set()):
        check_transition(current, target, party, reason)
    else:
        with pytest.raises(IllegalTransition) as raised:
            check_transition(current, target, party, reason)
        assert raised.value.status_code == 409
        assert raised.value.extra == {
            "current_status": str(current),
            "requested_status": str(target),
        }


@pytest.mark.parametrize("target", sorted(REASON_REQUIRED))
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_cancel_reject_and_fail_need_a_reason(target: Status, reason: str | None) -> None:
    current, party = next(
        (src, next(iter(who))) for (src, dst), who in TRANSITIONS.items() if dst == target
    )
    with pytest.raises(ReasonRequired) as raised:
        check_transition(current, target, party, reason)
    assert raised.value.status_code == 422


def test_terminal_open_and_runnable_sets() -> None:
    assert {S.COMPLETED, S.CANCELED, S.REJECTED} == TERMINAL
    assert S.PARTIALLY_COMPLETED not in TERMINAL  # releasing the hold lets it complete
    assert OPEN.isdisjoint(TERMINAL) and set(Status) == OPEN | TERMINAL
    assert {S.SCHEDULED, S.IN_PROCESSING} == RUNNABLE


def test_the_client_cannot_stop_deletion_midway_or_mark_work_done() -> None:
    assert next_statuses(S.IN_PROCESSING, P.CLIENT) == frozenset()
    assert next_statuses(S.SCHEDULED, P.CLIENT) == {S.CANCELED}
    assert all(P.CLIENT not in who for (_, dst), who in TRANSITIONS.items() if dst != S.CANCELED)


def test_only_jobs_start_and_finish_work() -> None:
    for (_, dst), who in TRANSITIONS.items():
        if dst in (S.IN_PROCESSING, S.COMPLETED, S.PARTIALLY_COMPLETED, S.FAILED):
            assert who == {P.SYSTEM}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.RECEIVED, OpenDsrStatus.PENDING),
        (S.SCHEDULED, OpenDsrStatus.PENDING),
        (S.PAUSED, OpenDsrStatus.PENDING),
        (S.IN_PROCESSING, OpenDsrStatus.IN_PROGRESS),
        (S.FAILED, OpenDsrStatus.IN_PROGRESS),
        (S.COMPLETED, OpenDsrStatus.COMPLETED),
        (S.PARTIALLY_COMPLETED, OpenDsrStatus.COMPLETED),
        (S.CANCELED, OpenDsrStatus.CANCELLED),
        (S.REJECTED, OpenDsrStatus.CANCELLED),
    ],
)
def test_open_dsr_status(status: Status, expected: OpenDsrStatus) -> None:
    assert open_dsr_status(status) == expected


def test_receipt_check_refuses_non_ascii_tokens_without_raising() -> None:
    key, instruction = b"k" * 32, uuid4()
    assert check_receipt_token(key, instruction, receipt_token(key, instruction))
    assert not check_receipt_token(key, instruction, "é" * 64)
    assert not check_receipt_token(key, instruction, "\udcff")


def test_the_party_follows_from_who_acts() -> None:
    """Jobs act as the system, platform roles as staff, everyone else for the client."""
    assert party_of(SYSTEM) == P.SYSTEM
    assert party_of(Acting(uuid4(), "platform_staff")) == P.STAFF
    assert party_of(Acting(uuid4(), "platform_admin")) == P.STAFF
    assert party_of(Acting(uuid4(), "client_admin")) == P.CLIENT
