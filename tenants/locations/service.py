"""Capture a clock-in/out location in the tenant's chosen form; open it; reduce it.

- precise: the coordinates (latitude, longitude, accuracy) are sealed with
  AES-256-GCM under the tenant's data key, with the tenant id and the clock
  event's id as associated data (a ciphertext moved to another row does not
  open). The geofence result is stored beside them, in clear, so reduction only
  has to drop the ciphertext.
- geofence: only on-site yes/no and the matched site are stored; the coordinates
  never reach the database.
- off: nothing is processed; a location sent anyway is ignored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol
from uuid import UUID

import msgspec
import structlog
from cryptography.exceptions import InvalidTag
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tenants.employees.models import Employee
from tenants.locations.geo import Geofence, Point, match
from tenants.settings.models import LocationMode
from tenants.settings.service import LocationPolicy, location_policy
from tenants.sites.models import JobSite
from tenants.time.models import ClockEvent, LocationStatus
from timeward.crypto.aead import seal, unseal
from timeward.crypto.data_keys import DataKey, DataKeys
from timeward.db.session import Database, Scope
from timeward.jobs.tenants import tenant_ids

log = structlog.get_logger(__name__)

UNAVAILABLE = "unavailable"


class Coordinates(msgspec.Struct, frozen=True, array_like=True):
    """The plaintext that is sealed (kept compact: [lat, lon, accuracy])."""

    latitude: float
    longitude: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class CapturedLocation:
    mode: LocationMode
    status: LocationStatus
    on_site: bool | None = None
    matched_site_id: UUID | None = None
    sealed: bytes | None = None
    key_id: UUID | None = None


@dataclass(frozen=True)
class OpenedLocation:
    """A stored location as shown to readers; status ``unavailable`` if it does not open."""

    status: str
    coordinates: Coordinates | None
    on_site: bool | None
    matched_site_id: UUID | None


def location_aad(tenant_id: UUID, event_id: UUID) -> bytes:
    return b"timeward/clock_events.location/v1|" + tenant_id.bytes + event_id.bytes


async def geofences(session: AsyncSession, tenant_id: UUID) -> list[Geofence]:
    rows = await session.scalars(
        select(JobSite).where(
            JobSite.tenant_id == tenant_id,
            JobSite.active.is_(True),
            JobSite.geofence_radius_m.is_not(None),
        )
    )
    return [
        Geofence(
            site.id,
            Point(site.geofence_latitude or 0.0, site.geofence_longitude or 0.0),
            float(site.geofence_radius_m or 0),
        )
        for site in rows.all()
    ]


def minimise(
    tenant_id: UUID,
    event_id: UUID,
    policy: LocationPolicy,
    coordinates: Coordinates | None,
    fences: Sequence[Geofence],
    declared_site: UUID | None,
    key: DataKey | None,
) -> CapturedLocation:
    """The form of one location the tenant's mode allows to be stored.

    Coordinates never outlive this call, except as a ciphertext in precise mode
    (which needs the tenant's sealing ``key``).
    """
    if policy.mode is LocationMode.OFF or coordinates is None:
        return CapturedLocation(policy.mode, LocationStatus.NOT_COLLECTED)
    point = Point(coordinates.latitude, coordinates.longitude)
    result = match(point, fences, declared_site=declared_site)
    if policy.mode is LocationMode.GEOFENCE:
        return CapturedLocation(
            policy.mode, LocationStatus.GEOFENCE, result.on_site, result.matched_site_id
        )
    assert key is not None, "precise mode seals: a data key is required"
    sealed = seal(key.secret, msgspec.json.encode(coordinates), location_aad(tenant_id, event_id))
    return CapturedLocation(
        policy.mode, LocationStatus.PRECISE, result.on_site, result.matched_site_id, sealed, key.id
    )


async def capture(
    session: AsyncSession,
    keys: DataKeys,
    tenant_id: UUID,
    event_id: UUID,
    policy: LocationPolicy,
    coordinates: Coordinates | None,
    declared_site: UUID | None,
) -> CapturedLocation:
    """Minimise (and in precise mode seal) the location of one clock event."""
    if policy.mode is LocationMode.OFF or coordinates is None:
        return minimise(tenant_id, event_id, policy, None, (), declared_site, None)
    fences = await geofences(session, tenant_id)
    key = (
        await keys.for_sealing(session, tenant_id) if policy.mode is LocationMode.PRECISE else None
    )
    return minimise(tenant_id, event_id, policy, coordinates, fences, declared_site, key)


class SealedEvent(Protocol):
    """What opening a location reads of a clock event (the model or a fetched row)."""

    @property
    def id(self) -> UUID: ...
    @property
    def location_status(self) -> str: ...
    @property
    def location_sealed(self) -> bytes | None: ...
    @property
    def location_key_id(self) -> UUID | None: ...
    @property
    def on_site(self) -> bool | None: ...
    @property
    def matched_site_id(self) -> UUID | None: ...


async def open_locations(
    session: AsyncSession, keys: DataKeys, tenant_id: UUID, events: Sequence[SealedEvent]
) -> dict[UUID, OpenedLocation]:
    """Every event's location as readers see it. A location whose key was destroyed, or
    that does not open, is reported as unavailable rather than failing the request."""
    secrets = await keys.for_opening(
        session, tenant_id, {e.location_key_id for e in events if e.location_key_id}
    )
    opened: dict[UUID, OpenedLocation] = {}
    unavailable = 0
    for event in events:
        status, coordinates = event.location_status, None
        if event.location_sealed is not None and event.location_key_id is not None:
            coordinates = _open(secrets.get(event.location_key_id), tenant_id, event)
            if coordinates is None:
                status, unavailable = UNAVAILABLE, unavailable + 1
        opened[event.id] = OpenedLocation(status, coordinates, event.on_site, event.matched_site_id)
    if unavailable:
        log.warning("location.unavailable", tenant_id=str(tenant_id), events=unavailable)
    return opened


Rows = list[dict[str, Any]]
SEALED_COLUMN = "location_sealed"
# Opens the sealed column of a table's rows in place, for whoever has a right to read it
# (the subject's access request, the client's returned data).
Opener = Callable[[AsyncSession, DataKeys, UUID, Rows], Awaitable[None]]


class _StoredEvent(NamedTuple):
    """The columns of a clock_events row that opening its location reads."""

    id: UUID
    location_status: str
    location_sealed: bytes | None
    location_key_id: UUID | None
    on_site: bool | None
    matched_site_id: UUID | None


async def _open_clock_event_locations(
    session: AsyncSession, keys: DataKeys, tenant_id: UUID, rows: Rows
) -> None:
    """``location_sealed`` becomes ``location``: status and, when the key still opens it,
    latitude, longitude and accuracy in metres (numbers). The rows are whole
    ``clock_events`` rows: they are opened as they are, without reading them again."""
    events = [
        _StoredEvent(
            row["id"],
            row["location_status"],
            row[SEALED_COLUMN],
            row["location_key_id"],
            row["on_site"],
            row["matched_site_id"],
        )
        for row in rows
        if row[SEALED_COLUMN] is not None
    ]
    opened = await open_locations(session, keys, tenant_id, events) if events else {}
    for row in rows:
        if row.pop(SEALED_COLUMN, None) is None:  # nothing sealed: the stored status is all
            row["location"] = {"status": row["location_status"]}
            continue
        location = opened[row["id"]]
        if location.coordinates is None:  # the key destroyed, or it does not open
            row["location"] = {"status": location.status}
        else:
            row["location"] = {
                "status": location.status,
                "latitude": location.coordinates.latitude,
                "longitude": location.coordinates.longitude,
                "accuracy_m": location.coordinates.accuracy_m,
            }


SEALED: dict[str, Opener] = {"clock_events": _open_clock_event_locations}
# Per table: the columns its opener reads, and the sealed ones among them it replaces (an
# export forms the other columns' text in PostgreSQL).
SEALED_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "clock_events": (_StoredEvent._fields, (SEALED_COLUMN,))
}


def _open(secret: bytes | None, tenant_id: UUID, event: SealedEvent) -> Coordinates | None:
    if secret is None or event.location_sealed is None:
        return None
    try:
        plaintext = unseal(secret, event.location_sealed, location_aad(tenant_id, event.id))
    except InvalidTag:
        return None
    return msgspec.json.decode(plaintext, type=Coordinates)


async def reduce_locations(session: AsyncSession, tenant_id: UUID, now: datetime) -> int:
    """Drop sealed coordinates the tenant no longer keeps; returns how many were dropped.

    In precise mode, those older than the tenant's retention; in any other mode, all
    of them (the tenant has chosen not to keep coordinates); in precise mode also all of
    an employee's whose objection to location was upheld. The geofence result
    stays. Employees whose processing is restricted are skipped: their data is
    frozen until the restriction is lifted.
    """
    policy = await location_policy(session, tenant_id)
    restricted = select(Employee.id).where(
        Employee.tenant_id == tenant_id, Employee.processing_restricted.is_(True)
    )
    statement = update(ClockEvent).where(
        ClockEvent.tenant_id == tenant_id,
        ClockEvent.location_sealed.is_not(None),
        ClockEvent.employee_id.not_in(restricted),
    )
    if policy.mode is LocationMode.PRECISE:
        limited = select(Employee.id).where(
            Employee.tenant_id == tenant_id, Employee.location_limit.is_not(None)
        )  # an upheld objection to location: none of their coordinates are kept
        statement = statement.where(
            or_(
                ClockEvent.at < now - timedelta(days=policy.precise_days),
                ClockEvent.employee_id.in_(limited),
            )
        )
    result = await session.execute(
        statement.values(
            location_sealed=None,
            location_key_id=None,
            location_status=LocationStatus.REDUCED,
            location_reduced_at=now,
        ).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def destroy_employee_locations(
    session: AsyncSession, tenant_id: UUID, employee_id: UUID, now: datetime
) -> int:
    """Erasure of one employee: drop every sealed coordinate of theirs, whatever the
    tenant's retention (and even under a restriction: the controller decided to erase).

    The ciphertext and its key reference are nulled, so nothing of the location is left
    in this database; the geofence result (on site, matched site) stays with the event.
    Returns how many locations were destroyed; idempotent.
    """
    result = await session.execute(
        update(ClockEvent)
        .where(
            ClockEvent.tenant_id == tenant_id,
            ClockEvent.employee_id == employee_id,
            ClockEvent.location_sealed.is_not(None),
        )
        .values(
            location_sealed=None,
            location_key_id=None,
            location_status=LocationStatus.REDUCED,
            location_reduced_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def reduce_expired_locations(database: Database, tenant_id: UUID, now: datetime) -> int:
    """Scheduled job, one tenant: reduce expired precise locations in a transaction of its own.

    Idempotent: a second run at the same ``now`` reduces nothing.
    """
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        reduced = await reduce_locations(session, tenant_id, now)
    if reduced:
        log.info("location.reduced", tenant_id=str(tenant_id), events=reduced)
    return reduced


async def reduce_expired_locations_all_tenants(database: Database, now: datetime) -> int:
    """Scheduled job, every tenant that still holds data, one transaction per tenant."""
    total = 0
    for tenant_id in await tenant_ids(database):
        total += await reduce_expired_locations(database, tenant_id, now)
    return total
