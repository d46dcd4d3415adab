"""CPU time of the list and clock routes' own work, without HTTP and the per-request path.

What a request's handler does once its session is open, called in-process against a
fresh database (one tenant per case):

- list: `service.list_clock_events` + `views.clock_event_views` for a page of 50 rows,
  in one transaction, repeated (rows without a location; and rows with sealed
  coordinates, opened);
- clock: `clocking.clock_for_user`, in and out alternating, each in a transaction of its
  own as in a request (geofence mode without a position, as `bench/api_request_path.py`
  sends; and precise mode with a position, sealed);
- with ``--http``: the whole request, as the API server's own CPU time per request
  (user + system, read from the process) while one wrk connection sends
  ``GET /api/v1/clock-events?limit=50`` as the manager, then clock in/out as the employee,
  as `bench/api_request_path.py` does. Less exposed to a loaded machine than latency.

Prints the median and best of several repetitions, in milliseconds of this process's
CPU time per call (PostgreSQL's own work is not in it) and of wall time. Run old and new
code alternately on the same machine to compare:

    .venv/bin/python -m bench.clock_routes_cpu [--calls 200] [--repeats 5]

Not a test: asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from uuid import UUID

import httpx

from bench.api_request_path import ENVIRONMENT, _lua_clock, _lua_list, _wrk
from bench.harness import MASTER_KEY, bench_database, cpu_seconds, machine, start_api, stop_api
from bench.workload import BenchTenant, add_history, create_employee_records, create_tenants, log_in
from tenants.employees.service import get_employee
from tenants.locations.service import Coordinates
from tenants.time import clocking, service
from tenants.time.models import ClockKind
from tenants.time.views import clock_event_views
from timeward.crypto.data_keys import DataKeys
from timeward.crypto.master_key import decode_master_key
from timeward.db.session import Database, Scope
from timeward.paging import PageRequest

PAGE = PageRequest(50)
POSITION = {"latitude": 52.5221, "longitude": 13.4135, "accuracy": 12.5}
COORDINATES = Coordinates(52.5221, 13.4135, 12.5)
KINDS = (ClockKind.IN, ClockKind.OUT)
SEALED_PAIRS = 30  # 60 sealed events: a full page of 50


async def _precise_history(http: httpx.AsyncClient, tenant: BenchTenant) -> None:
    """Precise mode, and clock pairs with a position: every event carries sealed coordinates."""
    admin = tenant.tokens[f"admin@{tenant.slug}.example"]
    response = await http.put(
        "/api/v1/settings/location",
        json={"location_mode": "precise", "precise_location_days": 30},
        headers={"Authorization": f"Bearer {admin}"},
    )
    response.raise_for_status()
    employee = await log_in(http, tenant, tenant.employee_emails[0])
    for kind in ("in", "out") * SEALED_PAIRS:
        response = await http.post(
            f"/api/v1/clock/{kind}",
            json={"location": POSITION},
            headers={"Authorization": f"Bearer {employee}"},
        )
        response.raise_for_status()


async def _seed(app_url: str, owner_url: str) -> tuple[BenchTenant, BenchTenant]:
    database = Database(app_url, pool_size=2)
    plain, sealed = await create_tenants(database, 2, employees=1)
    await database.dispose()
    process, base = start_api(app_url)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            for tenant in (plain, sealed):
                await create_employee_records(http, tenant)
            await add_history(owner_url, plain, events_per_employee=200)
            await _precise_history(http, sealed)
    finally:
        stop_api(process)
    return plain, sealed


async def _user_id(database: Database, tenant: BenchTenant) -> UUID:
    async with database.transaction(Scope.TENANT, tenant.tenant_id) as session:
        employee = await get_employee(session, tenant.tenant_id, tenant.employee_ids[0])
    assert employee.user_id is not None
    return employee.user_id


class Stopwatch:
    """CPU and wall time spent inside ``with stopwatch:`` blocks, summed."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0

    def __enter__(self) -> None:
        self._started, self._started_cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *_: object) -> None:
        self.cpu += time.process_time() - self._started_cpu
        self.wall += time.perf_counter() - self._started


Call = Callable[[int, Stopwatch], Awaitable[None]]


async def _timed(calls: int, repeats: int, call: Call) -> str:
    """Median and best CPU milliseconds per call over ``repeats`` runs (the handler's part,
    without the transaction's BEGIN, tenant setting and COMMIT), and median wall time."""
    cpu, wall = [], []
    for n in range(2):  # warm the caches (compiled statements, data keys); a clock pair
        await call(n, Stopwatch())
    for _ in range(repeats):
        stopwatch = Stopwatch()
        for n in range(calls):
            await call(n, stopwatch)
        cpu.append(stopwatch.cpu * 1000 / calls)
        wall.append(stopwatch.wall * 1000 / calls)
    return (
        f"cpu median {statistics.median(cpu):6.3f} ms best {min(cpu):6.3f} ms | "
        f"wall median {statistics.median(wall):6.3f} ms"
    )


async def _measure(
    database: Database,
    keys: DataKeys,
    tenants: tuple[BenchTenant, BenchTenant],
    args: argparse.Namespace,
) -> None:
    lists = (("no location", tenants[0]), ("sealed, opened", tenants[1]))
    for label, tenant in lists if args.only in (None, "list") else ():
        tenant_id = tenant.tenant_id

        async def list_page(_: int, stopwatch: Stopwatch, tenant_id: UUID = tenant_id) -> None:
            async with database.transaction(Scope.TENANT, tenant_id) as session:
                await session.connection()  # BEGIN and the tenant setting, outside the timing
                with stopwatch:
                    events = await service.list_clock_events(session, tenant_id, PAGE)
                    assert len(events) == 51, len(events)
                    await clock_event_views(session, keys, tenant_id, events)

        print(f"list page of 50, {label:<22} {await _timed(args.calls, args.repeats, list_page)}")

    clocks = (
        ("geofence, no position", tenants[0], None),
        ("precise, position", tenants[1], COORDINATES),
    )
    for label, tenant, location in clocks if args.only in (None, "clock") else ():
        tenant_id, user_id = tenant.tenant_id, await _user_id(database, tenant)
        request = clocking.ClockRequest(location=location)

        async def clock(
            n: int,
            stopwatch: Stopwatch,
            tenant_id: UUID = tenant_id,
            user_id: UUID = user_id,
            request: clocking.ClockRequest = request,
        ) -> None:
            async with database.transaction(Scope.TENANT, tenant_id) as session:
                await session.connection()
                with stopwatch:
                    await clocking.clock_for_user(
                        session, keys, tenant_id, user_id, KINDS[n % 2], request
                    )

        print(f"clock in/out, {label:<22} {await _timed(args.calls, args.repeats, clock)}")


async def _measure_http(app_url: str, tenant: BenchTenant, seconds: int) -> None:
    process, base = start_api(app_url, environment=ENVIRONMENT)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            manager = await log_in(http, tenant, tenant.manager_email)
            employee = await log_in(http, tenant, tenant.employee_emails[0])
        _wrk("warm-up", base, _lua_list([manager]), 1, 1)
        for label, script in (("list", _lua_list([manager])), ("clock", _lua_clock(employee))):
            cpu = cpu_seconds(process.pid)
            load = _wrk(label, base, script, 1, seconds)
            per_request = (cpu_seconds(process.pid) - cpu) / (load.per_second * seconds)
            print(
                f"http {label:<6} server cpu {per_request * 1000:6.3f} ms/request | "
                f"p50 {load.p50_ms:6.2f} ms, {load.per_second:6.1f}/s, {load.errors} non-2xx"
            )
    finally:
        stop_api(process)


async def main(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    async with bench_database("timeward_bench_clock_routes") as db:
        tenants = await _seed(db.urls.app_url, db.urls.owner_url)
        database = Database(db.urls.app_url, pool_size=2)
        try:
            await _measure(database, DataKeys(decode_master_key(MASTER_KEY)), tenants, args)
        finally:
            await database.dispose()
        for _ in range(args.http):
            await _measure_http(db.urls.app_url, tenants[0], args.seconds)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200, help="calls per repetition (even)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", choices=("list", "clock", "none"))
    parser.add_argument("--http", type=int, default=0, help="rounds of the HTTP measure")
    parser.add_argument("--seconds", type=int, default=5, help="per HTTP measure")
    asyncio.run(main(parser.parse_args()))
