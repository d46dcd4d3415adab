"""CPU an idle API process burns: with the in-process jobs (no broker), against without.

`timeward serve` without BROKER_URL runs the jobs in the API process (a Dramatiq worker
on an in-memory broker, the periodic scheduler). Idle, it should cost next to nothing:
this starts the app twice on a fresh database, once with the in-process jobs and once
without (TIMEWARD_ENV=test turns them off), leaves each idle, and prints the CPU time
each used per second of wall time, read from /proc.

    .venv/bin/python -m bench.idle_cpu [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from bench.harness import bench_database, cpu_seconds, machine, start_api, stop_api


def idle_share(app_url: str, environment: str, seconds: int) -> float:
    process, _ = start_api(app_url, environment=environment)
    try:
        time.sleep(3)  # let start-up work settle
        before, started = cpu_seconds(process.pid), time.monotonic()
        time.sleep(seconds)
        return (cpu_seconds(process.pid) - before) / (time.monotonic() - started)
    finally:
        stop_api(process)


async def main(seconds: int) -> None:
    async with bench_database("timeward_bench_idle") as db:
        with_jobs = await asyncio.to_thread(idle_share, db.urls.app_url, "development", seconds)
        without = await asyncio.to_thread(idle_share, db.urls.app_url, "test", seconds)
    print(f"machine: {machine()}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"idle API with in-process jobs:    {with_jobs * 100:5.2f} % of a core")
    print(f"idle API without in-process jobs: {without * 100:5.2f} % of a core")
    print(f"in-process jobs' idle cost: {(with_jobs - without) * 100:5.2f} % of a core")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    asyncio.run(main(parser.parse_args().seconds))
