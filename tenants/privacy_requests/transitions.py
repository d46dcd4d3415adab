"""The status machine of a privacy request: a pure table, no database.

    received ──start──▶ in_progress ──complete──▶ completed
       │                   │  ▲
       │             extend│  │(start, verify: stay)
       ▼                   ▼  │
    identity_pending ──verify──▶ in_progress      extended ──complete──▶ completed
    (public intake)                                   ▲ │
                                                      └─┘ extend again (within the limit)

    any open status ──refuse──▶ refused; received / identity_pending / in_progress
    ──extend──▶ extended. completed and refused are final.

A pair missing from :data:`TRANSITIONS` is illegal: the service answers 409. Further
rules (identity verified before fulfilment, the fulfilment done before completion, the
extension limits) are checked by the service, not here.
"""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    RECEIVED = "received"  # filed by a signed-in member: identity known
    IDENTITY_PENDING = "identity_pending"  # public intake: who is asking is not yet verified
    IN_PROGRESS = "in_progress"  # a client admin is working on it
    EXTENDED = "extended"  # the deadline was extended (with a reason the requester sees)
    COMPLETED = "completed"
    REFUSED = "refused"  # with a reason the requester sees


class Action(enum.StrEnum):
    VERIFY_IDENTITY = "verify_identity"
    START = "start"  # a fulfilment step (export, erasure, rectification, flags)
    EXTEND = "extend"
    REFUSE = "refuse"
    COMPLETE = "complete"


OPEN = frozenset({Status.RECEIVED, Status.IDENTITY_PENDING, Status.IN_PROGRESS, Status.EXTENDED})
FINAL = frozenset({Status.COMPLETED, Status.REFUSED})

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.RECEIVED, Action.START): Status.IN_PROGRESS,
    (Status.RECEIVED, Action.EXTEND): Status.EXTENDED,
    (Status.RECEIVED, Action.REFUSE): Status.REFUSED,
    (Status.IDENTITY_PENDING, Action.VERIFY_IDENTITY): Status.IN_PROGRESS,
    (Status.IDENTITY_PENDING, Action.EXTEND): Status.EXTENDED,
    (Status.IDENTITY_PENDING, Action.REFUSE): Status.REFUSED,
    (Status.IN_PROGRESS, Action.START): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Action.EXTEND): Status.EXTENDED,
    (Status.IN_PROGRESS, Action.REFUSE): Status.REFUSED,
    (Status.IN_PROGRESS, Action.COMPLETE): Status.COMPLETED,
    (Status.EXTENDED, Action.VERIFY_IDENTITY): Status.EXTENDED,
    (Status.EXTENDED, Action.START): Status.EXTENDED,
    (Status.EXTENDED, Action.EXTEND): Status.EXTENDED,
    (Status.EXTENDED, Action.REFUSE): Status.REFUSED,
    (Status.EXTENDED, Action.COMPLETE): Status.COMPLETED,
}


# The four statuses of OpenDSR, for a request the controller's tool sent over it
# (docs/machine-api.md): an OpenDSR request is completed when ours is answered.
OPEN_DSR: dict[Status, str] = {
    Status.RECEIVED: "pending",
    Status.IDENTITY_PENDING: "pending",
    Status.IN_PROGRESS: "in_progress",
    Status.EXTENDED: "in_progress",
    Status.COMPLETED: "completed",
    Status.REFUSED: "cancelled",
}


def open_dsr_status(status: Status | str | None) -> str | None:
    return None if status is None else OPEN_DSR[Status(status)]


class IllegalTransition(Exception):
    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(f"{action} is not allowed on a request that is {status}")
        self.status = status
        self.action = action


def next_status(status: Status | str, action: Action) -> Status:
    """The status after ``action``, or :class:`IllegalTransition`."""
    current = Status(status)
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise IllegalTransition(current, action) from None


def allowed_actions(status: Status | str) -> list[Action]:
    """What a client admin may do next, in a stable order (shown in the queue)."""
    current = Status(status)
    return [action for action in Action if (current, action) in TRANSITIONS]
