"""Fixtures for breaches, the sub-processor registry and records of processing.

The jobs fixtures (a real SMTP server, a StubBroker and an in-process Worker) come
from tests/jobs; a fixed clock lets deadline tests use real calendars and dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from uuid import UUID

import pytest

from tests.accounts import PASSWORD, TENANT_ROLES, Accounts
from tests.jobs.conftest import idle_jobs, job_settings, jobs, smtp_server  # noqa: F401
from timeward import clock
from timeward.db.session import Database, Scope
from timeward.identity.service import NewTenant, add_member, create_tenant
from timeward.notifications.service import list_for_user


@dataclass
class FixedClock:
    """``timeward.clock.now`` for the API and the worker alike, until the test ends."""

    current: datetime

    def set(self, moment: datetime) -> None:
        assert moment.tzinfo is not None
        self.current = moment

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixedClock]:
    fixed = FixedClock(datetime.now(UTC))
    monkeypatch.setattr(clock, "now", fixed.now)
    yield fixed


async def seed_client(
    db: Database,
    slug: str,
    country: str = "DE",
    subdivision: str | None = None,
    *,
    name: str | None = None,
    roles: tuple[str, ...] = TENANT_ROLES,
) -> Accounts:
    """A tenant in a given calendar, with one user per role in ``roles``."""
    spec = NewTenant(slug, name or f"{slug} GmbH", country, subdivision)
    accounts = Accounts(slug, await create_tenant(db, spec))
    assert accounts.tenant_id is not None
    for role in roles:
        email = f"{role}@{slug}.example"
        user_id = await add_member(db, accounts.tenant_id, email, PASSWORD, role)
        accounts.users[role] = (user_id, email)
    return accounts


async def add_admin(db: Database, accounts: Accounts, label: str) -> tuple[UUID, str]:
    """One more client admin for the tenant (not logged in)."""
    assert accounts.tenant_id is not None
    email = f"{label}@{accounts.slug}.example"
    user_id = await add_member(db, accounts.tenant_id, email, PASSWORD, "client_admin")
    accounts.users[label] = (user_id, email)
    return user_id, email


async def notification_kinds(db: Database, tenant_id: UUID | None, user_id: UUID) -> list[str]:
    assert tenant_id is not None
    async with db.transaction(Scope.TENANT, tenant_id) as session:
        return [n.kind for n in await list_for_user(session, tenant_id, user_id)]


def recipients(messages: list[Message]) -> list[str]:
    return sorted(str(m["To"]) for m in messages)


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode().replace("\r\n", "\n")
