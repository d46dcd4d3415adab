"""The daily deadline sweep over 100,000 open items: 50,000 data-subject requests (traffic
light and overdue flag) and 50,000 processor instructions (escalation by business days
left), across 50 tenants in five holiday calendars. The rows are read from PostgreSQL and
classified with the product's own rules (timeward.deadlines); the baseline reads the same
rows and does nothing else.

    .venv/bin/python -m bench.deadline_sweep [--items 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from datetime import UTC, datetime

import asyncpg

from bench.harness import bench_database, print_comparison
from tenants.privacy_requests.deadlines import deadlines_at
from timeward.deadlines import TenantCalendar, instruction_escalation

CALENDARS = [("DE", "BE"), ("DE", "BY"), ("GB", "ENG"), ("US", "CA"), ("FR", None)]
TENANTS = 50

SETUP = """
create table sweep_items (
    tenant_id int not null, kind text not null, due date not null, status text not null
);
insert into sweep_items
select g % $2, case when g % 2 = 0 then 'request' else 'instruction' end,
       current_date - 20 + (g % 80), 'open'
from generate_series(1, $1) g;
analyze sweep_items;
"""
SELECT = "select tenant_id, kind, due from sweep_items where status = 'open' order by due"


async def main(items: int) -> None:
    async with bench_database("timeward_bench_sweep") as db:
        conn = await asyncpg.connect(db.superuser_url)
        try:
            await conn.execute("create table if not exists sweep_items (x int)")
            await conn.execute("drop table sweep_items")
            for statement in SETUP.strip().split(";\n"):
                if "$1" in statement:
                    await conn.execute(statement, items, TENANTS)
                elif statement.strip():
                    await conn.execute(statement)
            calendars = {t: TenantCalendar(*CALENDARS[t % len(CALENDARS)]) for t in range(TENANTS)}
            now = datetime.now(UTC)

            started = time.perf_counter()
            rows = await conn.fetch(SELECT)
            read_s = time.perf_counter() - started

            started = time.perf_counter()
            rows = await conn.fetch(SELECT)
            outcome: Counter[str] = Counter()
            # Requests as the product's sweep and pages count them (deadlines_at: once per
            # due day and calendar); instructions one by one, as the escalation job does.
            request_deadline = deadlines_at(now)
            for tenant_id, kind, due in rows:
                calendar = calendars[tenant_id]
                if kind == "request":
                    outcome[f"request {request_deadline(now, due, due, calendar).light}"] += 1
                else:
                    outcome[f"instruction {instruction_escalation(due, now, calendar)}"] += 1
            sweep_s = time.perf_counter() - started
        finally:
            await conn.close()
    print_comparison(
        f"{len(rows)} open items over {TENANTS} tenants, calendars {CALENDARS}",
        ("sweep (read + classify)  ", sweep_s, f"   {dict(sorted(outcome.items()))}"),
        ("read only (baseline)     ", read_s, ""),
        "sweep / read time",
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    asyncio.run(main(parser.parse_args().items))
