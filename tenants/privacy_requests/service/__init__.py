"""Filing, deciding and fulfilling privacy requests, in the caller's tenant transaction.

The platform routes and records; every decision is a client admin's (the routes check
the role). Each status change goes through the pure table in :mod:`..transitions` (an
illegal one is a 409), is audited on the tenant's chain, appears in the request's
timeline, and is told to the requester and the tenant's client admins (e-mail through
the outbox, sent by a job after commit, and in the app).

Modules by purpose: :mod:`.queries` (reading), :mod:`.checks` (what must hold before a
step), :mod:`.steps` (recording and telling), :mod:`.filing`, :mod:`.decisions`,
:mod:`.fulfilment`, :mod:`.previews` (what a fulfilment would do), :mod:`.exports`
(export files), :mod:`.transfers` (portability to another organisation) and
:mod:`.job_starts` (the jobs it starts, by name). This package re-exports their public
names, so callers write ``service.list_queue(...)``.
"""

from tenants.privacy_requests.service.checks import (
    check_transition,
    require_idle,
    require_type,
    require_verified,
)
from tenants.privacy_requests.service.decisions import (
    complete,
    extend,
    extension_message,
    refusal_message,
    refuse,
    verify_identity,
)
from tenants.privacy_requests.service.exports import purge_expired_exports, store_export
from tenants.privacy_requests.service.filing import (
    BY_CONTROLLER_TOOL,
    SIGNED_IN,
    file_for_controller,
    file_from_intake,
    file_own,
    join_open_own,
)
from tenants.privacy_requests.service.fulfilment import (
    EXPORT_TYPES,
    FLAG_TYPES,
    MAX_FULFILMENT_ATTEMPTS,
    RECTIFIABLE,
    apply_flags,
    lift_location_limit,
    lift_restriction,
    lifting_message,
    mark_fulfilled,
    rectify,
    start_erasure,
    start_export,
)
from tenants.privacy_requests.service.previews import TableCount, erasure_preview, export_preview
from tenants.privacy_requests.service.queries import (
    QueueCounts,
    QueueFilter,
    calendar_of,
    deadline_of,
    deadline_reader,
    downloadable,
    get_request,
    latest_export,
    latest_exports,
    list_mine,
    list_queue,
    my_request,
    overdue_requests,
    queue_counts,
    subject_names,
    tenant_name,
    timeline,
    timelines,
)
from tenants.privacy_requests.service.steps import (
    announce_due_soon,
    apply_transition,
    in_requesters_language,
    record_step,
    requester_reference,
    tell_admins,
    tell_admins_step,
    tell_requester,
)
from tenants.privacy_requests.service.transfers import (
    TRANSFER_BASE,
    Recipient,
    Transfer,
    await_confirmation,
    cancel_transfer,
    check_transfer_token,
    confirm_transfer,
    name_recipient,
    record_download,
    transfer_for_recipient,
    transfer_path,
)

__all__ = [
    "BY_CONTROLLER_TOOL",
    "EXPORT_TYPES",
    "FLAG_TYPES",
    "MAX_FULFILMENT_ATTEMPTS",
    "RECTIFIABLE",
    "SIGNED_IN",
    "TRANSFER_BASE",
    "QueueCounts",
    "QueueFilter",
    "Recipient",
    "TableCount",
    "Transfer",
    "announce_due_soon",
    "apply_flags",
    "apply_transition",
    "await_confirmation",
    "calendar_of",
    "cancel_transfer",
    "check_transfer_token",
    "check_transition",
    "complete",
    "confirm_transfer",
    "deadline_of",
    "deadline_reader",
    "downloadable",
    "erasure_preview",
    "export_preview",
    "extend",
    "extension_message",
    "file_for_controller",
    "file_from_intake",
    "file_own",
    "get_request",
    "in_requesters_language",
    "join_open_own",
    "latest_export",
    "latest_exports",
    "lift_location_limit",
    "lift_restriction",
    "lifting_message",
    "list_mine",
    "list_queue",
    "mark_fulfilled",
    "my_request",
    "name_recipient",
    "overdue_requests",
    "purge_expired_exports",
    "queue_counts",
    "record_download",
    "record_step",
    "rectify",
    "refusal_message",
    "refuse",
    "requester_reference",
    "require_idle",
    "require_type",
    "require_verified",
    "start_erasure",
    "start_export",
    "store_export",
    "subject_names",
    "tell_admins",
    "tell_admins_step",
    "tell_requester",
    "tenant_name",
    "timeline",
    "timelines",
    "transfer_for_recipient",
    "transfer_path",
    "verify_identity",
]
