"""The demo tenant seeded on first run, so the product shows something at once."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from uuid import UUID

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.locations.geo import Geofence
from tenants.locations.service import Coordinates, geofences, minimise, reduce_locations
from tenants.settings.models import LocationMode, TenantSettings
from tenants.settings.service import LocationPolicy, set_location_policy
from tenants.sites.models import JobSite
from tenants.time.models import ApprovalState, ClockEvent, ClockKind, EntrySource, TimeEntry
from timeward import clock
from timeward.crypto.data_keys import DataKey, DataKeys
from timeward.db.base import new_id
from timeward.db.session import Database, Scope
from timeward.demo_privacy_requests import seed_demo_privacy_requests
from timeward.demo_processor import SECOND_ADMIN, SECOND_SLUG, seed_processor_demo
from timeward.demo_timesheets import seed_demo_timesheets
from timeward.identity.models import Membership, PlatformRole, TenantRole, User
from timeward.identity.service import (
    NewTenant,
    add_member,
    add_platform_staff,
    create_tenant,
    tenant_by_slug,
)

log = structlog.get_logger(__name__)

DEMO_SLUG = "demo"
DEMO_LOGINS = (
    ("admin@demo.timeward.test", TenantRole.CLIENT_ADMIN),
    ("manager@demo.timeward.test", TenantRole.CLIENT_MANAGER),
    ("employee@demo.timeward.test", TenantRole.EMPLOYEE),
)
PLATFORM_LOGIN = ("ops@timeward.test", PlatformRole.PLATFORM_ADMIN)


@dataclass(frozen=True)
class DemoLogins:
    tenant_slug: str
    password: str
    tenant_users: tuple[tuple[str, str], ...]
    platform_user: tuple[str, str]

    def first_of(self, role: str) -> str:
        """The e-mail of the first demo login with this role."""
        return next(email for email, held in self.tenant_users if held == role)

    def describe(self) -> str:
        lines = [f"Demo logins (password: {self.password})"]
        lines += [
            f"  tenant '{self.tenant_slug}'  {role:<15} {email}"
            for email, role in self.tenant_users
        ]
        lines.append(f"  tenant '{SECOND_SLUG}' {TenantRole.CLIENT_ADMIN:<12} {SECOND_ADMIN}")
        email, role = self.platform_user
        lines.append(f"  tenant 'platform' {role:<15} {email}  (staff console: /staff/sign-in)")
        return "\n".join(lines)


def demo_password(data_dir: Path) -> str:
    path = data_dir / "demo-password"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


async def seed_demo(database: Database, password: str, *, data_keys: DataKeys) -> DemoLogins:
    """Create the demo tenant, its logins and its workforce data unless they already exist."""
    logins = DemoLogins(
        tenant_slug=DEMO_SLUG,
        password=password,
        tenant_users=tuple((email, str(role)) for email, role in DEMO_LOGINS),
        platform_user=(PLATFORM_LOGIN[0], str(PLATFORM_LOGIN[1])),
    )
    existing = await tenant_by_slug(database, DEMO_SLUG)
    if existing is not None:
        log.debug("demo.already_seeded")
        tenant_id = existing.id
    else:
        tenant_id = await create_tenant(
            database,
            NewTenant(
                slug=DEMO_SLUG, name="Demo Construction GmbH", country="DE", subdivision="BE"
            ),
        )
        for email, role in DEMO_LOGINS:
            await add_member(database, tenant_id, email, password, role)
        await add_platform_staff(database, PLATFORM_LOGIN[0], password, PLATFORM_LOGIN[1])
        log.debug("demo.seeded", tenant_id=str(tenant_id))
    await seed_demo_workforce(database, data_keys, tenant_id, clock.now())
    await seed_demo_timesheets(database, tenant_id, clock.now())
    await seed_demo_privacy_requests(database, tenant_id, clock.now())
    await seed_processor_demo(database, password, tenant_id, clock.now())
    return logins


# --- Workforce: employees, sites and a few weeks of clock events ---------------------------

DEMO_WEEKS = 3
DEMO_PRECISE_DAYS = 14
# (name, address, geofence centre latitude, longitude, radius in metres or None)
DEMO_SITES = (
    ("Alexanderplatz tower", "Alexanderplatz 1, 10178 Berlin", 52.5219, 13.4132, 150),
    ("Spandau depot", "Am Juliusturm 10, 13599 Berlin", 52.5362, 13.2003, 250),
    ("Tempelhof office", "Tempelhofer Damm 1, 12101 Berlin", None, None, None),
)
# (name, job title, login e-mail or None, index of the usual site)
DEMO_EMPLOYEES = (
    ("Mara Vogt", "Site manager", "manager@demo.timeward.test", 0),
    ("Jonas Becker", "Carpenter", "employee@demo.timeward.test", 0),
    ("Aylin Demir", "Electrician", None, 0),
    ("Piotr Nowak", "Crane operator", None, 1),
    ("Lena Hoffmann", "Surveyor", None, 2),
)


async def _member_ids(session: AsyncSession, tenant_id: UUID) -> dict[str, UUID]:
    rows = await session.execute(
        select(User.email, Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id)
    )
    return {email: user_id for email, user_id in rows.all()}


def _near(rng: random.Random, latitude: float, longitude: float) -> Coordinates:
    """A device position within about 60 m of a point, with a plausible accuracy."""
    return Coordinates(
        round(latitude + rng.uniform(-0.0005, 0.0005), 6),
        round(longitude + rng.uniform(-0.0008, 0.0008), 6),
        round(rng.uniform(5, 35), 1),
    )


def _workdays(today: date) -> list[date]:
    first = today - timedelta(weeks=DEMO_WEEKS)
    days = (first + timedelta(days=n) for n in range((today - first).days))
    return [day for day in days if day.weekday() < 5]


async def seed_demo_workforce(
    database: Database, data_keys: DataKeys, tenant_id: UUID, now: datetime
) -> int:
    """Employees, sites and about three weeks of clock events and time entries for the demo
    tenant; skipped when it already has employees. Returns the clock events created.

    Locations go through the same minimisation and sealing as a real clock in; rows are
    written in bulk so seeding stays fast. Entries older than a week are approved (the
    manager's own by the admin); coordinates older than the tenant's precise retention
    are then reduced, as the scheduled job would.
    """
    # Fixed seed: the demo looks the same on every machine; this is not security.
    rng = random.Random(20261121)  # noqa: S311
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        count = select(func.count()).select_from(Employee).where(Employee.tenant_id == tenant_id)
        if await session.scalar(count):
            log.debug("demo.workforce_already_seeded")
            return 0
        members = await _member_ids(session, tenant_id)
        admin_id, manager_id = members[DEMO_LOGINS[0][0]], members[DEMO_LOGINS[1][0]]
        policy = await set_location_policy(
            session, tenant_id, LocationMode.PRECISE, DEMO_PRECISE_DAYS, admin_id, now
        )
        # The colleague directory is on in the demo, so "My directory" has something to show.
        await session.execute(
            update(TenantSettings)
            .where(TenantSettings.tenant_id == tenant_id)
            .values(directory_enabled=True)
        )
        sites = [
            JobSite(
                tenant_id=tenant_id,
                id=new_id(),
                name=name,
                address=address,
                geofence_latitude=lat,
                geofence_longitude=lon,
                geofence_radius_m=radius,
            )
            for name, address, lat, lon, radius in DEMO_SITES
        ]
        session.add_all(sites)
        await session.flush()  # before the employees that name their site
        employees = [
            Employee(
                tenant_id=tenant_id,
                id=new_id(),
                user_id=members.get(email) if email else None,
                name=name,
                job_title=title,
                employee_number=f"D{n + 1:03d}",
                hire_date=date(2024, 3, 1) + timedelta(days=40 * n),
                site_id=sites[site_index].id,
            )
            for n, (name, title, email, site_index) in enumerate(DEMO_EMPLOYEES)
        ]
        session.add_all(employees)
        await session.flush()
        shifts = _DemoShifts(
            tenant_id,
            policy,
            await geofences(session, tenant_id),
            await data_keys.for_sealing(session, tenant_id),
            rng,
        )
        for day in _workdays(now.date()):
            for employee, (*_, site_index) in zip(employees, DEMO_EMPLOYEES, strict=True):
                approver = admin_id if employee.user_id == manager_id else manager_id
                decided = now if day < now.date() - timedelta(days=7) else None
                shifts.add(employee, sites[site_index], day, approver, decided)
        session.add_all(shifts.events)
        await session.flush()
        session.add_all(shifts.entries)
        await session.flush()
        reduced = await reduce_locations(session, tenant_id, now)
    log.debug("demo.workforce_seeded", clock_events=len(shifts.events), coordinates_reduced=reduced)
    return len(shifts.events)


class _DemoShifts:
    """Builds clock-event pairs and their time entries for the demo, in memory."""

    def __init__(
        self,
        tenant_id: UUID,
        policy: LocationPolicy,
        fences: list[Geofence],
        key: DataKey,
        rng: random.Random,
    ) -> None:
        self.tenant_id, self.policy, self.fences, self.key, self.rng = (
            tenant_id,
            policy,
            fences,
            key,
            rng,
        )
        self.events: list[ClockEvent] = []
        self.entries: list[TimeEntry] = []

    def _event(
        self, employee: Employee, site: JobSite, kind: ClockKind, at: datetime
    ) -> ClockEvent:
        coordinates = None
        if site.geofence_latitude is not None and site.geofence_longitude is not None:
            coordinates = _near(self.rng, site.geofence_latitude, site.geofence_longitude)
        event_id = new_id()
        captured = minimise(
            self.tenant_id, event_id, self.policy, coordinates, self.fences, site.id, self.key
        )
        return ClockEvent(
            tenant_id=self.tenant_id,
            id=event_id,
            employee_id=employee.id,
            kind=kind,
            at=at,
            site_id=site.id,
            location_mode=captured.mode,
            location_status=captured.status,
            on_site=captured.on_site,
            matched_site_id=captured.matched_site_id,
            location_sealed=captured.sealed,
            location_key_id=captured.key_id,
            created_at=at,
        )

    def add(
        self,
        employee: Employee,
        site: JobSite,
        day: date,
        approver: UUID,
        decided_at: datetime | None,
    ) -> None:
        start = datetime.combine(day, time(6, 0), tzinfo=UTC)
        start += timedelta(minutes=self.rng.randint(0, 90))
        end = start + timedelta(hours=8, minutes=self.rng.randint(0, 75))
        clock_in = self._event(employee, site, ClockKind.IN, start)
        clock_out = self._event(employee, site, ClockKind.OUT, end)
        self.events += [clock_in, clock_out]
        self.entries.append(
            TimeEntry(
                tenant_id=self.tenant_id,
                employee_id=employee.id,
                site_id=site.id,
                started_at=start,
                ended_at=end,
                source=EntrySource.CLOCK,
                clock_in_event_id=clock_in.id,
                clock_out_event_id=clock_out.id,
                approval_state=ApprovalState.APPROVED if decided_at else ApprovalState.PENDING,
                decided_by=approver if decided_at else None,
                decided_at=decided_at,
                created_by=employee.user_id,
                created_at=end,
                updated_at=decided_at or end,
            )
        )
