"""Inputs that once made the server answer 500: the HTTP tests and the fuzzer send each."""

from __future__ import annotations

from typing import Any

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
DEEP_BODIES = (DEEP_ARRAY, DEEP_OBJECT)
NOBODY = "00000000-0000-0000-0000-000000000000"
COMMA_EMAIL = "first,second@x.test"
BAD_INSTANTS = (
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
    "9999-12-31T00:00:00Z",  # a grant's expiry overflowed
    "2026-12-01T10:00:00",  # no offset
)


def _breach(discovered_at: str) -> dict[str, Any]:
    return {
        "title": "Incident",
        "discovered_at": discovered_at,
        "description": "A misconfigured backup bucket was readable.",
        "data_categories": ["names"],
        "subject_categories": ["employees"],
        "measures_taken": "Access closed.",
        "affected": {"all_tenants": True},
    }


def instant_cases() -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, body): every route taking a date-time, with each bad one."""
    cases: list[tuple[str, str, dict[str, Any]]] = []
    for at in BAD_INSTANTS:
        cases += [
            ("POST", "/api/v1/clock/in", {"at": at}),
            ("POST", "/api/v1/clock/out", {"at": at}),
            ("POST", "/api/v1/platform/breaches", _breach(at)),
            (
                "POST",
                "/api/v1/support-grants",
                {"reason": "Ticket 4711", "hours": 4, "starts_at": at},
            ),
            (
                "POST",
                "/api/v1/time-entries",
                {"employee_id": NOBODY, "started_at": at, "ended_at": at},
            ),
        ]
    return cases
