"""Client instructions to the processor, one import for other features and tests.

The work is split by purpose: :mod:`~timeward.instructions.instructing` (giving,
withdrawing, a new due date), :mod:`~timeward.instructions.queries` (reading, the platform
queue), :mod:`~timeward.instructions.staff` (staff status changes, legal holds placed and
released) and :mod:`~timeward.instructions.downloads` (returned data, receipt links).
This module re-exports them so ``from timeward.instructions import service;
service.create_instruction(...)`` keeps working.
"""

from __future__ import annotations

from timeward.instructions.downloads import (
    download_by_receipt,
    download_export,
    export_for_download,
    instruction_by_receipt,
    staff_certificate,
    visible_certificate,
)
from timeward.instructions.instructing import (
    CLIENT_ADMIN,
    OFFBOARDING_GRACE,
    NewInstruction,
    Preview,
    cancel_by_client,
    create_instruction,
    preview_instruction,
    schedule,
    update_subject_request_due,
)
from timeward.instructions.queries import (
    Detail,
    QueueItem,
    client_status,
    detail,
    get_instruction,
    history,
    latest_certificate,
    list_instructions,
    progress,
    progress_by_instruction,
    queue,
    staff_detail,
    staff_queue_item,
    tenant_of,
)
from timeward.instructions.staff import (
    place_legal_hold,
    release_legal_hold,
    reschedule_after_release,
    retry_failed,
    staff_change_status,
)

__all__ = [
    "CLIENT_ADMIN",
    "OFFBOARDING_GRACE",
    "Detail",
    "NewInstruction",
    "Preview",
    "QueueItem",
    "cancel_by_client",
    "client_status",
    "create_instruction",
    "detail",
    "download_by_receipt",
    "download_export",
    "export_for_download",
    "get_instruction",
    "history",
    "instruction_by_receipt",
    "latest_certificate",
    "list_instructions",
    "place_legal_hold",
    "preview_instruction",
    "progress",
    "progress_by_instruction",
    "queue",
    "release_legal_hold",
    "reschedule_after_release",
    "retry_failed",
    "schedule",
    "staff_certificate",
    "staff_change_status",
    "staff_detail",
    "staff_queue_item",
    "tenant_of",
    "update_subject_request_due",
    "visible_certificate",
]
