"""Row-level security, exercised as the application role on a real server."""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg
import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError, ProgrammingError

from tests.conftest import TenantFactory
from timeward.db.session import Database, MissingTenantContext, Scope
from timeward.identity.models import Membership, Tenant
from timeward.identity.service import add_member

TENANT_TABLES_SQL = """
select c.relname, c.relrowsecurity, c.relforcerowsecurity,
       (select count(*) from pg_policy p where p.polrelid = c.oid) as policies,
       (select count(*) from pg_policy p where p.polrelid = c.oid
          and pg_get_expr(p.polqual, p.polrelid) like '%app.tenant_id%') as tenant_policies
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p')
  and exists (select 1 from pg_attribute a where a.attrelid = c.oid
              and a.attname = 'tenant_id' and not a.attisdropped)
"""


async def _two_tenants_with_members(db: Database, make_tenant: TenantFactory) -> tuple[UUID, UUID]:
    tenant_a, tenant_b = await make_tenant("alpha"), await make_tenant("bravo")
    for tenant, prefix in ((tenant_a, "a"), (tenant_b, "b")):
        for n in range(3):
            await add_member(db, tenant, f"{prefix}{n}@example.test", None, "employee")
    return tenant_a, tenant_b


async def test_catalog_every_tenant_table_has_forced_tenant_policy(
    owner: asyncpg.Pool,
) -> None:
    async with owner.acquire() as conn:
        rows = await conn.fetch(TENANT_TABLES_SQL)
    assert rows, "expected tenant-scoped tables in the schema"
    unprotected = [
        row["relname"]
        for row in rows
        if not (row["relrowsecurity"] and row["relforcerowsecurity"] and row["tenant_policies"])
    ]
    assert unprotected == []


async def test_application_role_is_not_privileged(owner: asyncpg.Pool) -> None:
    async with owner.acquire() as conn:
        role = await conn.fetchrow(
            "select rolsuper, rolbypassrls from pg_roles where rolname = 'timeward_app'"
        )
        owned = await conn.fetchval(
            "select count(*) from pg_tables where tableowner = 'timeward_app'"
        )
    assert (role["rolsuper"], role["rolbypassrls"], owned) == (False, False, 0)


async def test_tenant_session_sees_and_changes_only_its_rows(
    db: Database, make_tenant: TenantFactory
) -> None:
    tenant_a, tenant_b = await _two_tenants_with_members(db, make_tenant)
    async with db.transaction(Scope.TENANT, tenant_a) as session:
        tenants_seen = set((await session.scalars(select(Membership.tenant_id))).all())
        updated = await session.execute(update(Membership).values(role="client_manager"))
        visible_tenants = (await session.scalars(select(Tenant.id))).all()
    assert tenants_seen == {tenant_a}
    assert updated.rowcount == 3  # type: ignore[attr-defined]
    assert visible_tenants == [tenant_a]

    async with db.transaction(Scope.TENANT, tenant_a) as session:
        deleted = await session.execute(delete(Membership))
    assert deleted.rowcount == 3  # type: ignore[attr-defined]

    async with db.transaction(Scope.TENANT, tenant_b) as session:
        roles = (await session.scalars(select(Membership.role))).all()
    assert roles == ["employee"] * 3


async def test_insert_with_another_tenants_id_is_refused(
    db: Database, make_tenant: TenantFactory
) -> None:
    tenant_a, tenant_b = await _two_tenants_with_members(db, make_tenant)
    async with db.transaction(Scope.TENANT, tenant_b) as session:
        user_in_b = await session.scalar(select(Membership.user_id).limit(1))
    with pytest.raises(ProgrammingError, match="row-level security"):
        async with db.transaction(Scope.TENANT, tenant_a) as session:
            session.add(Membership(tenant_id=tenant_b, user_id=user_in_b, role="client_admin"))
            await session.flush()


async def test_no_tenant_set_sees_nothing(
    db: Database, make_tenant: TenantFactory, database_urls: object
) -> None:
    await _two_tenants_with_members(db, make_tenant)
    async with db.engine.connect() as conn:  # a bare connection: no scope applied
        assert await conn.scalar(text("select count(*) from memberships")) == 0
        assert await conn.scalar(text("select count(*) from tenants")) == 0
    async with db.transaction(Scope.PLATFORM) as session:
        assert await session.scalar(select(func.count()).select_from(Membership)) == 0
        assert await session.scalar(select(func.count()).select_from(Tenant)) == 2


async def test_tenant_session_without_tenant_is_an_error(db: Database) -> None:
    with pytest.raises(MissingTenantContext):
        db.tenant_session(None)  # type: ignore[arg-type]


async def test_one_pooled_connection_never_carries_a_tenant_over(
    database_urls: object, make_tenant: TenantFactory, db: Database
) -> None:
    tenant_a, tenant_b = await _two_tenants_with_members(db, make_tenant)
    single = Database(db.engine.url.render_as_string(hide_password=False), pool_size=1)
    single.engine.pool._max_overflow = 0  # type: ignore[attr-defined]
    try:
        pids = set()
        for tenant in (tenant_a, tenant_b, tenant_a):
            async with single.transaction(Scope.TENANT, tenant) as session:
                pids.add(await session.scalar(text("select pg_backend_pid()")))
                seen = set((await session.scalars(select(Membership.tenant_id))).all())
                assert seen == {tenant}
        async with single.engine.connect() as conn:
            pids.add(await conn.scalar(text("select pg_backend_pid()")))
            leftover = await conn.scalar(text("select current_setting('app.tenant_id', true)"))
            assert await conn.scalar(text("select count(*) from memberships")) == 0
        assert len(pids) == 1, "the test must reuse one backend connection"
        assert leftover == ""
    finally:
        await single.dispose()


async def test_concurrent_transactions_alternating_tenants(
    db: Database, make_tenant: TenantFactory
) -> None:
    tenant_a, tenant_b = await _two_tenants_with_members(db, make_tenant)

    async def read_as(tenant: UUID) -> set[UUID]:
        async with db.transaction(Scope.TENANT, tenant) as session:
            await session.execute(text("select pg_sleep(0.005)"))
            return set((await session.scalars(select(Membership.tenant_id))).all())

    tenants = [tenant_a if i % 2 == 0 else tenant_b for i in range(50)]
    results = await asyncio.gather(*(read_as(t) for t in tenants))
    assert results == [{t} for t in tenants]
    assert db.engine.pool.size() <= 5


@pytest.mark.parametrize(
    "statement",
    ["update audit_events set action = 'x'", "delete from audit_events", "truncate audit_events"],
)
async def test_application_role_cannot_rewrite_audit_events(
    db: Database, make_tenant: TenantFactory, statement: str
) -> None:
    tenant = await make_tenant("alpha")
    with pytest.raises(DBAPIError, match="permission denied"):
        async with db.transaction(Scope.TENANT, tenant) as session:
            await session.execute(text(statement))


async def test_actor_role_function_answers_and_leaves_the_callers_scope_alone(
    db: Database, make_tenant: TenantFactory
) -> None:
    tenant_a, tenant_b = await _two_tenants_with_members(db, make_tenant)
    async with db.transaction(Scope.TENANT, tenant_a) as session:
        member = await session.scalar(select(Membership.user_id).limit(1))
        role_here = await session.scalar(
            text("select actor_role(:u, :t)"), {"u": member, "t": tenant_a}
        )
        role_elsewhere = await session.scalar(
            text("select actor_role(:u, :t)"), {"u": member, "t": tenant_b}
        )
        still = await session.scalar(text("select current_setting('app.tenant_id', true)"))
        visible = set((await session.scalars(select(Membership.tenant_id))).all())
    assert (role_here, role_elsewhere) == ("employee", None)
    assert still == str(tenant_a) and visible == {tenant_a}
