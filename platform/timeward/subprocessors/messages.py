"""The words of a registry change notice (plain text: it goes by e-mail and in the app)."""

from __future__ import annotations

from typing import Any

from timeward.config import ProcessorSettings
from timeward.links import link
from timeward.subprocessors.models import ChangeKind, SubProcessorChange

KIND = "subprocessor.changed"
_VERBS = {
    ChangeKind.ADDED: "adds",
    ChangeKind.CHANGED: "changes",
    ChangeKind.REMOVED: "removes",
}
_LABELS = (
    ("name", "Name"),
    ("purpose", "Purpose"),
    ("location", "Location"),
    ("data_categories", "Data categories"),
    ("transfer_safeguard", "Transfer safeguard"),
)


def _value(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    if key == "data_categories":
        return ", ".join(value or [])
    if key == "transfer_safeguard" and not value:
        return "none (no transfer outside the EEA)"
    return str(value)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def describe(record: SubProcessorChange) -> list[str]:
    """The entry after the change, each changed field with its previous value."""
    lines = []
    for key, label in _LABELS:
        now = _value(record.entry, key)
        if record.previous is not None and _value(record.previous, key) != now:
            lines.append(f"{label}: {now} (was: {_value(record.previous, key)})")
        else:
            lines.append(f"{label}: {now}")
    return lines


def change_notice(
    record: SubProcessorChange, tenant_name: str, processor: ProcessorSettings
) -> tuple[str, str, str]:
    """(notification kind, subject, body) for one tenant's client admins."""
    name = _one_line(str(record.entry["name"]))
    verb = _VERBS[ChangeKind(record.kind)]
    subject = f"{processor.name} {verb} a sub-processor: {name}"
    deadline = record.objection_deadline.strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(
        [
            f"To the client administrators of {tenant_name},",
            "",
            f"{processor.name}, your processor, {verb} a sub-processor "
            f"(GDPR Art. 28(2) and (4)). Registry version {record.version}:",
            "",
            *describe(record),
            "",
            f"You may object to this change until {deadline}.",
            "To object, a client admin sends the reason to",
            f"POST {link(f'/api/v1/sub-processors/changes/{record.id}/objections')}",
            f"The full registry: {link('/api/v1/sub-processors')}",
            "",
            f"Contact: {processor.contact}",
        ]
    )
    return KIND, subject, body
