"""The data map finds every table and every row about a subject from the catalog alone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from timeward.datamap.catalog import deletion_order, load_catalog, tenant_tables
from timeward.datamap.subject import (
    select_rows,
    subject_filter,
    subject_paths,
    user_filter,
    user_linked_tables,
)
from timeward.db.bootstrap import DatabaseUrls
from timeward.db.urls import async_url

SCHEMA = "datamap_test"
DDL = [
    f"CREATE SCHEMA {SCHEMA}",
    f"SET search_path TO {SCHEMA}",
    "CREATE TABLE employees (tenant_id uuid, id uuid, user_id uuid, PRIMARY KEY (tenant_id, id))",
    "CREATE TABLE shifts (tenant_id uuid, id uuid, employee_id uuid, PRIMARY KEY (tenant_id, id),"
    " FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id))",
    "CREATE TABLE photos (tenant_id uuid, id uuid, shift_id uuid, PRIMARY KEY (tenant_id, id),"
    " FOREIGN KEY (tenant_id, shift_id) REFERENCES shifts (tenant_id, id))",
    "CREATE TABLE inbox (tenant_id uuid, id uuid, user_id uuid, PRIMARY KEY (tenant_id, id))",
    "CREATE TABLE sites (tenant_id uuid, id uuid, PRIMARY KEY (tenant_id, id))",
    "CREATE TABLE settings (key text PRIMARY KEY)",
]
T1, T2 = uuid.uuid4(), uuid.uuid4()
ADA, BOB, ADA_USER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


@pytest.fixture
async def owner_session(database_urls: DatabaseUrls) -> AsyncIterator[AsyncSession]:
    engine = create_async_engine(async_url(database_urls.owner_url))
    try:
        async with AsyncSession(engine) as session:
            for statement in DDL:
                await session.execute(text(statement))
            await _fill(session)
            yield session
            await session.rollback()
    finally:
        await engine.dispose()


async def _fill(session: AsyncSession) -> None:
    rows = [
        (
            "employees",
            "(tenant_id, id, user_id)",
            [(T1, ADA, ADA_USER), (T1, BOB, None), (T2, ADA, None)],
        ),
    ]
    for table, columns, values in rows:
        for value in values:
            await session.execute(
                text(f"INSERT INTO {table} {columns} VALUES (:a, :b, :c)"),
                {"a": value[0], "b": value[1], "c": value[2]},
            )
    shift_ada, shift_bob, shift_other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for tenant, shift, employee in (
        (T1, shift_ada, ADA),
        (T1, shift_bob, BOB),
        (T2, shift_other, ADA),
    ):
        await session.execute(
            text("INSERT INTO shifts VALUES (:t, :s, :e)"), {"t": tenant, "s": shift, "e": employee}
        )
        await session.execute(
            text("INSERT INTO photos VALUES (:t, :p, :s)"),
            {"t": tenant, "p": uuid.uuid4(), "s": shift},
        )
    for user in (ADA_USER, uuid.uuid4()):
        await session.execute(
            text("INSERT INTO inbox VALUES (:t, :i, :u)"), {"t": T1, "i": uuid.uuid4(), "u": user}
        )


async def test_catalog_paths_and_rows(owner_session: AsyncSession) -> None:
    catalog = await load_catalog(owner_session, SCHEMA)
    assert {t.name for t in tenant_tables(catalog)} == {
        "employees",
        "shifts",
        "photos",
        "inbox",
        "sites",
    }
    assert catalog["shifts"].primary_key == ("tenant_id", "id")

    order = deletion_order(tenant_tables(catalog))
    assert order.index("photos") < order.index("shifts") < order.index("employees")

    paths = subject_paths(catalog)
    assert set(paths) == {"employees", "shifts", "photos"}
    assert [hop.target for hop in paths["photos"].hops] == ["shifts", "employees"]
    assert user_linked_tables(catalog, exclude=set(paths)) == ["inbox"]

    params = {"tenant_id": T1, "root_id": ADA, "user_id": ADA_USER}
    counts = {}
    for table, path in paths.items():
        result = await owner_session.execute(select_rows(table, subject_filter(path)), params)
        counts[table] = len(result.all())
    inbox = await owner_session.execute(select_rows("inbox", user_filter()), params)
    assert counts == {"employees": 1, "shifts": 1, "photos": 1}
    assert len(inbox.all()) == 1
