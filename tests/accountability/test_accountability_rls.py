"""Row-level security of the accountability tables, as the application role."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import TenantFactory
from timeward.acting import SYSTEM
from timeward.breaches.models import Breach, BreachNotice
from timeward.breaches.service import Affected, BreachReport, record
from timeward.db.session import Database, Scope
from timeward.subprocessors.models import SubProcessor, SubProcessorNotice
from timeward.subprocessors.service import Announcement, Entry, add


async def test_incidents_are_platform_only_and_notices_per_tenant(
    db: Database, make_tenant: TenantFactory
) -> None:
    alpha, bravo = await make_tenant("alpha"), await make_tenant("bravo")
    report = BreachReport(
        title="Test",
        discovered_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        description="d",
        data_categories=("names",),
        subject_categories=("employees",),
        measures_taken="m",
        affected=Affected(tenant_ids=(alpha, bravo)),
    )
    async with db.transaction(Scope.PLATFORM) as session:
        breach, count = await record(session, report, SYSTEM, "contact")
    assert count == 2

    async with db.transaction(Scope.TENANT, alpha) as session:
        assert await session.scalar(select(func.count()).select_from(Breach)) == 0
        notices = (await session.scalars(select(BreachNotice))).all()
        assert [n.tenant_id for n in notices] == [alpha]
    with pytest.raises(DBAPIError, match="row-level security"):
        async with db.transaction(Scope.TENANT, alpha) as session:
            session.add(
                Breach(
                    title="forged",
                    discovered_at=datetime.now(UTC),
                    description="d",
                    data_categories=["x"],
                    subject_categories=["y"],
                    measures_taken="m",
                    contact_point="c",
                    affected={},
                )
            )
            await session.flush()
    async with db.transaction(Scope.PLATFORM) as session:
        assert await session.scalar(select(func.count()).select_from(BreachNotice)) == 2
        assert (await session.get(Breach, breach.id)) is not None


async def test_registry_is_written_by_the_platform_and_read_by_tenants(
    db: Database, make_tenant: TenantFactory
) -> None:
    alpha = await make_tenant("alpha")
    entry = Entry("Mailer", "Mail", "Dublin", ("e-mail",), None)
    async with db.transaction(Scope.PLATFORM) as session:
        await add(session, entry, Announcement(SYSTEM, 30))
    async with db.transaction(Scope.TENANT, alpha) as session:
        assert (await session.scalars(select(SubProcessor.name))).all() == ["Mailer"]
        assert await session.scalar(select(func.count()).select_from(SubProcessorNotice)) == 1
        changed = await session.execute(text("update sub_processors set name = 'Forged'"))
        assert changed.rowcount == 0  # type: ignore[attr-defined]
    with pytest.raises(DBAPIError, match="permission denied"):
        async with db.transaction(Scope.PLATFORM) as session:
            await session.execute(text("update sub_processor_changes set version = 99"))
