"""The instruction state machine: a pure transition table, no database, no web code.

An instruction moves only along the edges of :data:`TRANSITIONS`, and only by the
parties named on the edge:

- ``client``: the client admin who instructs (the controller);
- ``staff``: platform staff processing the queue (the processor's people);
- ``system``: the processor's own jobs (executor, reconciler).

Anything else is an :class:`IllegalTransition` (HTTP 409). Terminal statuses have no
way out; ``partially_completed`` is not terminal: releasing the legal hold that kept
data back schedules the instruction again so it can complete.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from timeward.acting import Acting
from timeward.errors import Conflict, InvalidInput
from timeward.identity.models import PlatformRole


class Kind(enum.StrEnum):
    DELETE_SUBJECT = "delete_subject"
    OFFBOARD_TENANT = "offboard_tenant"
    RETURN_DATA = "return_data"


class Status(enum.StrEnum):
    RECEIVED = "received"
    SCHEDULED = "scheduled"
    IN_PROCESSING = "in_processing"
    PAUSED = "paused"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    FAILED = "failed"
    CANCELED = "canceled"
    REJECTED = "rejected"


class Party(enum.StrEnum):
    CLIENT = "client"
    STAFF = "staff"
    SYSTEM = "system"


def party_of(acting: Acting) -> Party:
    """The party someone acts as: the system itself, platform staff (a platform role), or
    the client (anyone acting for the tenant, in practice a client admin)."""
    if acting.is_system:
        return Party.SYSTEM
    if acting.role in set(PlatformRole):
        return Party.STAFF
    return Party.CLIENT


class OpenDsrStatus(enum.StrEnum):
    """The four statuses of the OpenDSR protocol, reported beside ours for machine clients."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


S, P = Status, Party

TRANSITIONS: Mapping[tuple[Status, Status], frozenset[Party]] = MappingProxyType(
    {
        (S.RECEIVED, S.SCHEDULED): frozenset({P.SYSTEM, P.STAFF}),
        (S.RECEIVED, S.REJECTED): frozenset({P.STAFF}),
        (S.RECEIVED, S.CANCELED): frozenset({P.CLIENT, P.STAFF}),
        (S.SCHEDULED, S.IN_PROCESSING): frozenset({P.SYSTEM}),
        (S.SCHEDULED, S.PAUSED): frozenset({P.STAFF}),
        (S.SCHEDULED, S.REJECTED): frozenset({P.STAFF}),
        (S.SCHEDULED, S.CANCELED): frozenset({P.CLIENT, P.STAFF}),
        (S.IN_PROCESSING, S.COMPLETED): frozenset({P.SYSTEM}),
        (S.IN_PROCESSING, S.PARTIALLY_COMPLETED): frozenset({P.SYSTEM}),
        (S.IN_PROCESSING, S.FAILED): frozenset({P.SYSTEM}),
        (S.IN_PROCESSING, S.PAUSED): frozenset({P.STAFF}),
        # An offboarding whose data was returned waits out its grace period (cancelable).
        (S.IN_PROCESSING, S.SCHEDULED): frozenset({P.SYSTEM}),
        (S.PAUSED, S.SCHEDULED): frozenset({P.STAFF}),
        (S.PAUSED, S.CANCELED): frozenset({P.CLIENT, P.STAFF}),
        (S.FAILED, S.SCHEDULED): frozenset({P.STAFF}),
        (S.FAILED, S.CANCELED): frozenset({P.CLIENT, P.STAFF}),
        (S.PARTIALLY_COMPLETED, S.SCHEDULED): frozenset({P.SYSTEM, P.STAFF}),
    }
)

# A written reason is part of these statuses (told to the client, kept in the history).
REASON_REQUIRED = frozenset({S.CANCELED, S.REJECTED, S.FAILED})

TERMINAL = frozenset(
    status for status in Status if not any(src == status for src, _ in TRANSITIONS)
)
# Statuses in which the processor still owes work (the platform queue, escalation).
OPEN = frozenset(
    {S.RECEIVED, S.SCHEDULED, S.IN_PROCESSING, S.PAUSED, S.FAILED, S.PARTIALLY_COMPLETED}
)
# Statuses a job may pick up (the reconciler re-enqueues these when no job holds them).
RUNNABLE = frozenset({S.SCHEDULED, S.IN_PROCESSING})

OPEN_DSR: Mapping[Status, OpenDsrStatus] = MappingProxyType(
    {
        S.RECEIVED: OpenDsrStatus.PENDING,
        S.SCHEDULED: OpenDsrStatus.PENDING,
        S.PAUSED: OpenDsrStatus.PENDING,
        S.IN_PROCESSING: OpenDsrStatus.IN_PROGRESS,
        S.FAILED: OpenDsrStatus.IN_PROGRESS,  # retryable: the processor still owes it
        S.PARTIALLY_COMPLETED: OpenDsrStatus.COMPLETED,
        S.COMPLETED: OpenDsrStatus.COMPLETED,
        S.CANCELED: OpenDsrStatus.CANCELLED,
        S.REJECTED: OpenDsrStatus.CANCELLED,
    }
)


class IllegalTransition(Conflict):
    """The instruction cannot move from its status to the requested one (409)."""

    def __init__(self, current: Status, target: Status, party: Party) -> None:
        super().__init__(
            f"An instruction that is {current} cannot become {target} ({party}).",
            current_status=str(current),
            requested_status=str(target),
        )


class ReasonRequired(InvalidInput):
    def __init__(self, target: Status) -> None:
        super().__init__(f"A reason is required to make an instruction {target}.")


def allowed(current: Status, target: Status, party: Party) -> bool:
    return party in TRANSITIONS.get((current, target), frozenset())


def check_transition(
    current: Status, target: Status, party: Party, reason: str | None = None
) -> None:
    """Raise unless ``party`` may move an instruction from ``current`` to ``target``."""
    if not allowed(current, target, party):
        raise IllegalTransition(current, target, party)
    if target in REASON_REQUIRED and not (reason and reason.strip()):
        raise ReasonRequired(target)


def next_statuses(current: Status, party: Party) -> frozenset[Status]:
    """Where ``party`` may move an instruction from ``current`` (for UIs and docs)."""
    return frozenset(
        dst for (src, dst), who in TRANSITIONS.items() if src == current and party in who
    )


def open_dsr_status(status: Status) -> OpenDsrStatus:
    return OPEN_DSR[status]
