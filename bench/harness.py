"""Shared set-up for the benchmark scripts: a fresh, migrated database on the local
server (or BENCH_ADMIN_URL), reached as the application role, the owner and a superuser.

Benchmarks print figures and ratios against a baseline run in the same process; they
are not tests and assert nothing about speed.
"""

from __future__ import annotations

import asyncio
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import httpx
import psutil

from timeward.config import APP_ROLE_DEFAULT
from timeward.db.bootstrap import DatabaseUrls, RolePasswords, bootstrap_database
from timeward.db.migrate import upgrade_to_head
from timeward.db.urls import with_database

MASTER_KEY = "YmVuY2htYXJrLW1hc3Rlci1rZXktMzItYnl0ZXMtISE"
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "timeward-bench"


@dataclass(frozen=True)
class BenchDatabase:
    urls: DatabaseUrls
    superuser_url: str


@asynccontextmanager
async def bench_database(name: str = "timeward_bench") -> AsyncIterator[BenchDatabase]:
    urls = await bootstrap_database(
        ADMIN_URL, name, RolePasswords(PASSWORD, PASSWORD), recreate=True
    )
    await asyncio.to_thread(upgrade_to_head, urls.owner_url, APP_ROLE_DEFAULT)
    try:
        yield BenchDatabase(urls, with_database(ADMIN_URL, name))
    finally:
        conn = await asyncpg.connect(ADMIN_URL)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@dataclass(frozen=True)
class Timing:
    label: str
    count: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def describe(self) -> str:
        lat = sorted(self.latencies_ms)
        p50 = statistics.median(lat) if lat else 0.0
        p99 = lat[int(len(lat) * 0.99) - 1] if lat else 0.0
        return (
            f"{self.label:<38} {self.count:>7} ops {self.seconds:7.2f} s "
            f"{self.per_second:9.1f}/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"
        )


async def run_concurrently(
    label: str, operation: Callable[[int], Awaitable[None]], total: int, concurrency: int
) -> Timing:
    """Run ``operation(i)`` for i in range(total) with ``concurrency`` workers."""
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            started = time.perf_counter()
            await operation(i)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Timing(label, total, time.perf_counter() - started, latencies)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and its children: the live ones
    (uvicorn's workers, the app under py-spy) and those it has reaped."""
    root = psutil.Process(pid)
    own = root.cpu_times()
    live = (child.cpu_times() for child in root.children(recursive=True))
    return (
        own.user
        + own.system
        + own.children_user
        + own.children_system
        + sum(times.user + times.system for times in live)
    )


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL on {ADMIN_URL.split('@')[-1].split('/')[0]}"
    )


def print_comparison(
    setting: str, measured: tuple[str, float, str], baseline: tuple[str, float, str], ratio: str
) -> None:
    """Print the machine, the setting and two (label, seconds, note) timings with their ratio."""
    print(f"machine: {machine()}")
    print(setting)
    for label, seconds, note in (measured, baseline):
        print(f"{label} {seconds:6.3f} s{note}")
    print(f"ratio {ratio}: {measured[1] / baseline[1]:.1f}x")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_api(
    app_url: str, *, workers: int = 1, environment: str = "test"
) -> tuple[subprocess.Popen[bytes], str]:
    """The app under uvicorn in its own process(es), as `timeward serve --workers N` runs
    it; ``environment="development"`` keeps the in-process jobs on (no broker).

    BENCH_PROFILE=path records it with py-spy (raw stacks); BENCH_SERVER_LOG=path keeps
    its log.
    """
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": app_url,
        "TIMEWARD_MASTER_KEY": MASTER_KEY,
        "TIMEWARD_ENV": environment,
        "TIMEWARD_DATA_DIR": tempfile.mkdtemp(),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "timeward.app:create_app"]
    command += ["--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "warning", "--no-access-log"]
    profile = os.environ.get("BENCH_PROFILE")
    if profile:
        spy = ["py-spy", "record", "--subprocesses", "--format", "raw", "-o", profile, "--"]
        command = [*spy, *command]
    log_path = os.environ.get("BENCH_SERVER_LOG")
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(command, env=env, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/ready").status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("API did not start")


def stop_api(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
