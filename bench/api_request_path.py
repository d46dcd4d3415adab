"""The API request path under an out-of-process load generator (wrk), against asyncpg.

32 tenants (a manager and 4 employees each, 200 past clock events per employee). The API
runs as ``uvicorn --workers N`` in its own processes (the same server `timeward serve
--workers N` starts); wrk, a separate C program, drives it. In the same run, the same
statements the list route needs (the per-transaction tenant setting, the list query)
run directly on an asyncpg pool, as the baseline. Printed per worker count:

- single-client p50 of ``GET /api/v1/clock-events?limit=50`` (manager) and of a clock
  step (``POST /api/v1/clock/in`` / ``out`` alternating, employee);
- throughput of 32 connections listing as the managers of 32 tenants, and as the
  manager of ONE tenant (the staff-read audit must not serialise one tenant's readers);
- the ratio API / asyncpg throughput at 32 concurrent.

The three throughput measures run in interleaved rounds (ratios per round and their
median), since the load of a shared machine drifts. The API runs as `timeward serve`
does without a broker (TIMEWARD_ENV=development: the jobs in the API process).

    .venv/bin/python -m bench.api_request_path [--seconds 5] [--workers 1,2]

Needs ``wrk`` (Debian: ``apt-get install wrk``). Not a test: asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from bench.harness import BenchDatabase, bench_database, machine, start_api, stop_api
from bench.workload import BenchTenant, create_tenants, populate
from timeward.db.session import Database

LIST_PATH = "/api/v1/clock-events?limit=50"
TENANT_SETTING = (
    "select set_config('app.tenant_id', $1, true), set_config('app.scope', 'tenant', true)"
)
LIST_SQL = """
select id, employee_id, kind, at, site_id, location_mode, location_status, on_site,
       matched_site_id, location_sealed, location_key_id, created_at
from clock_events where tenant_id = $1 order by at desc, id limit 51
"""
CONCURRENCY = 32
ROUNDS = 3
ENVIRONMENT = "development"  # as `timeward serve`: no broker, jobs in the API process


@dataclass(frozen=True)
class Load:
    label: str
    per_second: float
    p50_ms: float
    errors: int

    def describe(self) -> str:
        return (
            f"{self.label:<48} {self.per_second:8.1f}/s  p50 {self.p50_ms:7.2f} ms"
            f"{f'  ({self.errors} non-2xx)' if self.errors else ''}"
        )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(label: str, base: str, script: str, connections: int, seconds: int) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    out = subprocess.run(
        [*command, "-s", lua.name, base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(lua.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+([\d.]+)(us|ms|s)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p50_ms = float(p50.group(1)) * _UNITS[p50.group(2)] if p50 else 0.0
    return Load(label, rate, p50_ms, int(bad.group(1)) if bad else 0)


def _lua_list(tokens: list[str]) -> str:
    quoted = ", ".join(f'"{t}"' for t in tokens)
    return f"""
local tokens = {{{quoted}}}
local n = 0
request = function()
  n = n + 1
  local token = tokens[(n % #tokens) + 1]
  return wrk.format("GET", "{LIST_PATH}", {{["Authorization"] = "Bearer " .. token}})
end
"""


def _lua_clock(token: str) -> str:
    return f"""
local n = 0
request = function()
  n = n + 1
  local path = (n % 2 == 1) and "/api/v1/clock/in" or "/api/v1/clock/out"
  return wrk.format("POST", path, {{["Authorization"] = "Bearer {token}",
                                    ["Content-Type"] = "application/json"}}, "{{}}")
end
"""


async def sql_baseline(
    db: BenchDatabase, tenants: list[BenchTenant], seconds: int, concurrency: int
) -> Load:
    pool = await asyncpg.create_pool(db.urls.app_url, min_size=10, max_size=10)
    latencies: list[float] = []
    count = 0
    deadline = time.perf_counter() + seconds
    try:

        async def client(n: int) -> None:
            nonlocal count
            while time.perf_counter() < deadline:
                tenant = tenants[(n + count) % len(tenants)]
                started = time.perf_counter()
                async with pool.acquire() as conn, conn.transaction():
                    await conn.execute(TENANT_SETTING, str(tenant.tenant_id))
                    await conn.fetch(LIST_SQL, tenant.tenant_id)
                latencies.append((time.perf_counter() - started) * 1000)
                count += 1

        started = time.perf_counter()
        await asyncio.gather(*(client(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    finally:
        await pool.close()
    return Load(
        f"same SQL via asyncpg, {concurrency} concurrent",
        count / elapsed,
        statistics.median(latencies),
        0,
    )


async def prepare(db: BenchDatabase, tenants_count: int) -> list[BenchTenant]:
    database = Database(db.urls.app_url, pool_size=5)
    tenants = await create_tenants(database, tenants_count, employees=4)
    await database.dispose()
    process, base = start_api(db.urls.app_url, environment=ENVIRONMENT)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            await populate(http, db.urls.owner_url, tenants, events_per_employee=200)
    finally:
        stop_api(process)
    return tenants


def _mean(label: str, loads: list[Load]) -> Load:
    return Load(
        f"{label} ({len(loads)} rounds)",
        statistics.mean(x.per_second for x in loads),
        statistics.median(x.p50_ms for x in loads),
        sum(x.errors for x in loads),
    )


def _ratios(values: list[float]) -> str:
    return f"{' '.join(f'{v:.3f}' for v in values)}  (median {statistics.median(values):.3f})"


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def main(seconds: int, workers_list: list[int], tenants_count: int) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk")
    print(f"machine: {machine()}")
    async with bench_database("timeward_bench_request_path") as db:
        tenants = await prepare(db, tenants_count)
        managers = [t.tokens[t.manager_email] for t in tenants]
        employee = tenants[0].tokens[tenants[0].employee_emails[0]]
        short = max(3, seconds // 2)
        for workers in workers_list:
            process, base = start_api(db.urls.app_url, workers=workers, environment=ENVIRONMENT)
            try:
                _wrk("warm-up", base, _lua_list(managers), CONCURRENCY, 2)
                print(f"\n--- {workers} worker(s); load average {_load_average()}")
                one_list = _wrk("list, 1 client", base, _lua_list(managers[:1]), 1, short)
                one_clock = _wrk("clock in/out, 1 client", base, _lua_clock(employee), 1, short)
                # Interleaved rounds: the machine's load drifts, and a ratio of two
                # figures taken minutes apart would measure the drift.
                spread, same, sql = [], [], []
                for _ in range(ROUNDS):
                    spread.append(_wrk("spread", base, _lua_list(managers), CONCURRENCY, seconds))
                    same.append(_wrk("one", base, _lua_list(managers[:1]), CONCURRENCY, seconds))
                    sql.append(await sql_baseline(db, tenants, seconds, CONCURRENCY))
            finally:
                stop_api(process)
            results = (
                one_list,
                one_clock,
                _mean(f"list, {CONCURRENCY} clients over {tenants_count} tenants", spread),
                _mean(f"list, {CONCURRENCY} clients of ONE tenant", same),
                _mean(f"same SQL via asyncpg, {CONCURRENCY} concurrent", sql),
            )
            for load in results:
                print(load.describe())
            api_sql = [a.per_second / b.per_second for a, b in zip(spread, sql, strict=True)]
            one_spread = [a.per_second / b.per_second for a, b in zip(same, spread, strict=True)]
            print(f"ratio list API / SQL ({workers} worker(s)), per round: {_ratios(api_sql)}")
            print(f"ratio one tenant / spread tenants, per round: {_ratios(one_spread)}")
            print(f"load average after: {_load_average()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5, help="per round and measure")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--tenants", type=int, default=32)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, [int(w) for w in args.workers.split(",")], args.tenants))
