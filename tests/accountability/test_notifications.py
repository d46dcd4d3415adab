"""In-app notifications: per recipient, per tenant, marked read only by their owner."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from tests.conftest import TenantFactory
from timeward.db.base import new_id
from timeward.db.session import Database, Scope
from timeward.identity.service import add_member
from timeward.notifications.service import list_for_user, mark_read, notify


async def test_notify_list_and_mark_read(db: Database, make_tenant: TenantFactory) -> None:
    tenant = await make_tenant("alpha")
    ada = await add_member(db, tenant, "ada@example.test", None, "client_admin")
    bob = await add_member(db, tenant, "bob@example.test", None, "client_admin")
    async with db.transaction(Scope.TENANT, tenant) as session:
        first = await notify(session, tenant, [ada, bob, ada], "breach.reported", "Breach", "...")
        [second] = await notify(session, tenant, [ada], "instruction.due", "Due soon", "...")
    assert len(first) == 2

    async with db.transaction(Scope.TENANT, tenant) as session:
        listed = await list_for_user(session, tenant, ada)
        assert {n.kind for n in listed} == {"breach.reported", "instruction.due"}
        assert await mark_read(session, tenant, ada, second)
        assert not await mark_read(session, tenant, bob, second)  # not bob's
        unread = await list_for_user(session, tenant, ada, unread_only=True)
        bobs = await list_for_user(session, tenant, bob)
    assert [n.kind for n in unread] == ["breach.reported"]
    assert [n.user_id for n in bobs] == [bob]


async def test_other_tenants_notifications_are_invisible(
    db: Database, make_tenant: TenantFactory
) -> None:
    tenant_a, tenant_b = await make_tenant("alpha"), await make_tenant("bravo")
    ada = await add_member(db, tenant_a, "ada@example.test", None, "employee")
    await add_member(db, tenant_b, "ada@example.test", None, "employee")  # same person, 2 jobs
    async with db.transaction(Scope.TENANT, tenant_a) as session:
        [notification] = await notify(session, tenant_a, [ada], "privacy.update", "T", "B")

    async with db.transaction(Scope.TENANT, tenant_b) as session:
        assert await list_for_user(session, tenant_b, ada) == []
        assert await list_for_user(session, tenant_a, ada) == []  # RLS, even if asked
        assert not await mark_read(session, tenant_a, ada, notification)


async def test_recipients_must_be_members_and_kinds_well_formed(
    db: Database, make_tenant: TenantFactory
) -> None:
    tenant = await make_tenant("alpha")
    with pytest.raises(IntegrityError):
        async with db.transaction(Scope.TENANT, tenant) as session:
            await notify(session, tenant, [new_id()], "breach.reported", "T", "B")
    with pytest.raises(ValueError, match="kind"):
        async with db.transaction(Scope.TENANT, tenant) as session:
            await notify(session, tenant, [], "Bad Kind!", "T", "B")
