"""Executing an instruction: phases of small, committed steps; resumable and idempotent.

The instruction row is the source of truth. Its ``phase`` says what is next and
``instruction_progress`` what each table has had done, and both change in the same
transaction as the work itself: a deletion batch deletes at most ``batch_size`` rows and
adds their count to the table's progress in one transaction, after locking the
instruction row and checking it is still in processing. A worker killed between two
batches loses nothing; the next run continues from the recorded progress.

Phases by kind:

- ``return_data``: export → deliver → certify → conclude
- ``offboard_tenant``: export → deliver → await_delivery → grace → delete → finalise →
  certify → conclude
- ``delete_subject``: delete → audit_identity → certify → conclude

One run works for at most ``slice_seconds`` and then asks to be enqueued again, so long
deletions never hit a job time limit and tenants take turns. A run holds the
instruction's advisory lock (:mod:`timeward.instructions.locks`) throughout.

Modules: ``job`` (a run's context and shared helpers), ``drive`` (claim, the phase loop,
failures, ``PHASE_STEPS``), ``delivery`` (export, deliver, await delivery, grace),
``deletion`` (delete, audit identity, finalise), ``conclusion`` (certify, conclude),
``notices`` (what the client admins are told). This package re-exports the names other
modules and tests use; ``PHASE_STEPS`` here is the very dict the driver reads, so a test
that replaces one of its entries changes what runs.
"""

from timeward.instructions.executor.deletion import audit_identity
from timeward.instructions.executor.drive import (
    PHASE_STEPS,
    mark_enqueued,
    record_failure,
    run_instruction,
)
from timeward.instructions.executor.job import (
    MAX_ATTEMPTS,
    PHASES,
    ExecutionContext,
    ExecutionSettings,
    Job,
    Outcome,
    PermanentFailure,
    Phase,
    RunResult,
)
from timeward.instructions.executor.notices import outcome_notice, receipt_links

__all__ = [
    "MAX_ATTEMPTS",
    "PHASES",
    "PHASE_STEPS",
    "ExecutionContext",
    "ExecutionSettings",
    "Job",
    "Outcome",
    "PermanentFailure",
    "Phase",
    "RunResult",
    "audit_identity",
    "mark_enqueued",
    "outcome_notice",
    "receipt_links",
    "record_failure",
    "run_instruction",
]
