"""The status machine of a privacy request is a pure table (no database)."""

from __future__ import annotations

import itertools

import pytest

from tenants.privacy_requests.transitions import (
    FINAL,
    OPEN,
    TRANSITIONS,
    Action,
    IllegalTransition,
    Status,
    allowed_actions,
    next_status,
)

S, A = Status, Action
EXPECTED = {
    (S.RECEIVED, A.START): S.IN_PROGRESS,
    (S.RECEIVED, A.EXTEND): S.EXTENDED,
    (S.RECEIVED, A.REFUSE): S.REFUSED,
    (S.IDENTITY_PENDING, A.VERIFY_IDENTITY): S.IN_PROGRESS,
    (S.IDENTITY_PENDING, A.EXTEND): S.EXTENDED,
    (S.IDENTITY_PENDING, A.REFUSE): S.REFUSED,
    (S.IN_PROGRESS, A.START): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.EXTEND): S.EXTENDED,
    (S.IN_PROGRESS, A.REFUSE): S.REFUSED,
    (S.IN_PROGRESS, A.COMPLETE): S.COMPLETED,
    (S.EXTENDED, A.VERIFY_IDENTITY): S.EXTENDED,
    (S.EXTENDED, A.START): S.EXTENDED,
    (S.EXTENDED, A.EXTEND): S.EXTENDED,
    (S.EXTENDED, A.REFUSE): S.REFUSED,
    (S.EXTENDED, A.COMPLETE): S.COMPLETED,
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status, Action)))
def test_every_pair_is_either_allowed_as_listed_or_illegal(status: Status, action: Action) -> None:
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(IllegalTransition) as refused:
            next_status(status, action)
        assert (refused.value.status, refused.value.action) == (status, action)
    else:
        assert next_status(status.value, action) is expected


def test_the_table_is_exactly_the_documented_one() -> None:
    assert TRANSITIONS == EXPECTED


def test_final_statuses_have_no_way_out_and_every_open_one_can_be_refused() -> None:
    assert {s for s, _ in TRANSITIONS} == set(OPEN)
    assert {S.COMPLETED, S.REFUSED} == FINAL
    for status in FINAL:
        assert allowed_actions(status) == []
    for status in OPEN:
        assert next_status(status, A.REFUSE) is S.REFUSED


def test_a_request_is_completed_only_once_someone_worked_on_it() -> None:
    completable = {s for (s, a) in TRANSITIONS if a is A.COMPLETE}
    assert completable == {S.IN_PROGRESS, S.EXTENDED}
    assert allowed_actions(S.IDENTITY_PENDING) == [A.VERIFY_IDENTITY, A.EXTEND, A.REFUSE]
    assert A.VERIFY_IDENTITY not in allowed_actions(S.RECEIVED)  # signed in: already known
