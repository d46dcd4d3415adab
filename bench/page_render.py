"""Server time of the web pages (docs/web.md, "Speed"): the demo tenant plus 200 open
privacy requests, the real app served by uvicorn in its own process, signed in through
the real sign-in forms; each page requested N times after a warm-up, and its server
time read from the app's JSON access log (``http.request``'s ``duration_ms``), against
``GET /health`` measured in the same rounds.

    .venv/bin/python -m bench.page_render [--requests 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import socket
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.harness import bench_database, cpu_seconds, machine
from tenants.employees.models import Employee
from tenants.privacy_requests.models import Channel, RequestType
from tenants.privacy_requests.service.filing import new_request
from tenants.privacy_requests.transitions import Status
from timeward import clock
from timeward.config import Settings
from timeward.crypto.data_keys import DataKeys
from timeward.db.session import Database, Scope
from timeward.demo import DEMO_LOGINS, DEMO_SLUG, PLATFORM_LOGIN, seed_demo
from timeward.demo_privacy_requests import DEMO_REQUESTS
from timeward.identity.service import tenant_by_slug
from timeward.observability.logging import configure_logging

PASSWORD = "page bench password 1"
OPEN_REQUESTS = 200
CPU_MS: dict[str, float] = {}  # page label -> server CPU milliseconds per request
WARM_UP = 5
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]*)"')
# Runs the app as `timeward serve` does (same factory, same uvicorn options), minus the demo.
SERVER = (
    "import sys, uvicorn\n"
    "from timeward.app import create_app\n"
    "from timeward.config import load_settings\n"
    "from timeward.web.server import uvicorn_options\n"
    "settings = load_settings()\n"
    "uvicorn.run(create_app(settings), host='127.0.0.1', port=int(sys.argv[1]),"
    " **uvicorn_options(settings))\n"
)
# (label, who, path); who None = signed out.
PAGES = (
    ("GET /health (baseline)", None, "/health"),
    ("sign-in", None, "/sign-in"),
    ("/home (employee)", "employee", "/home"),
    ("/my/privacy-requests", "employee", "/my/privacy-requests"),
    ("/home (admin, counts)", "client_admin", "/home"),
    ("/admin/privacy-requests (200 open)", "client_admin", "/admin/privacy-requests"),
    ("GET /api/v1/privacy-requests (JSON)", "client_admin_api", "/api/v1/privacy-requests"),
    ("/admin/timesheets", "client_admin", "/admin/timesheets"),
    ("/staff", "staff", "/staff"),
    ("/staff/instructions", "staff", "/staff/instructions"),
)


async def seed(database: Database, data_keys: DataKeys) -> int:
    """The demo, then open public-intake requests up to OPEN_REQUESTS, spread over the
    demo's employees and the last five weeks (every traffic-light colour)."""
    await seed_demo(database, PASSWORD, data_keys=data_keys)
    tenant = await tenant_by_slug(database, DEMO_SLUG)
    assert tenant is not None
    tenant_id, now, kinds = tenant.id, clock.now(), list(RequestType)
    async with database.transaction(Scope.TENANT, tenant_id) as session:
        people = list(
            await session.scalars(select(Employee).where(Employee.tenant_id == tenant_id))
        )
        for n in range(OPEN_REQUESTS - len(DEMO_REQUESTS)):
            await new_request(
                session,
                tenant_id,
                kinds[n % len(kinds)],
                Channel.PUBLIC,
                now - timedelta(days=n % 35, hours=n),
                status=Status.IDENTITY_PENDING,
                subject_employee_id=people[n % len(people)].id,
                contact_email=f"subject{n}@example.org",
            )
    return len(people)


async def sign_in(http: httpx.AsyncClient, form: str, fields: dict[str, str]) -> None:
    page = await http.get(form)
    found = CSRF_FIELD.search(page.text)
    assert found, f"{form} carries no CSRF token"
    answer = await http.post(form, data={"_csrf_token": found.group(1), **fields})
    assert answer.status_code in (302, 303), f"sign-in on {form} failed: {answer.status_code}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_until_up(base: str, server: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(300):
            if server.returncode is not None:
                raise SystemExit("the server exited; see its log")
            try:
                if (await http.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the server did not start")


async def measure(base: str, requests: int, server_pid: int | None) -> dict[str, list[str]]:
    """Request every page round-robin (so load swings hit all pages alike); returns the
    request ids of the measured requests per page. Then, page by page, the server's CPU
    time per request (not stretched by other processes' load, unlike the wall time)."""
    clients = {
        who: httpx.AsyncClient(base_url=base, timeout=60)
        for who in (None, "employee", "client_admin", "client_admin_api", "staff")
    }
    try:
        for email, role in DEMO_LOGINS:
            if str(role) in clients:
                await sign_in(
                    clients[str(role)],
                    "/sign-in",
                    {"email": email, "password": PASSWORD, "tenant": DEMO_SLUG},
                )
        await sign_in(
            clients["staff"], "/staff/sign-in", {"email": PLATFORM_LOGIN[0], "password": PASSWORD}
        )
        admin = next(email for email, role in DEMO_LOGINS if str(role) == "client_admin")
        token = await clients["client_admin_api"].post(
            "/api/v1/auth/token", json={"email": admin, "password": PASSWORD, "tenant": DEMO_SLUG}
        )
        assert token.status_code == 200, token.text
        clients["client_admin_api"].headers["Authorization"] = (
            f"Bearer {token.json()['access_token']}"
        )
        ids: dict[str, list[str]] = {label: [] for label, _, _ in PAGES}
        for n in range(WARM_UP + requests):
            for label, who, path in PAGES:
                answer = await clients[who].get(path)
                assert answer.status_code == 200, f"{path} as {who}: {answer.status_code}"
                if n >= WARM_UP:
                    ids[label].append(answer.headers["x-request-id"])
        if server_pid is not None:
            for label, who, path in PAGES:
                before = cpu_seconds(server_pid)
                for _ in range(requests):
                    await clients[who].get(path)
                CPU_MS[label] = (cpu_seconds(server_pid) - before) * 1000 / requests
        return ids
    finally:
        for http in clients.values():
            await http.aclose()


def server_times(log: Path) -> dict[str, float]:
    times: dict[str, float] = {}
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("event") == "http.request":
                times[event["request_id"]] = float(event["duration_ms"])
    return times


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


async def main(requests: int) -> None:
    configure_logging(json=False, level=logging.ERROR)  # no seeding chatter
    print(f"machine: {machine()}, {load()}")
    async with bench_database("timeward_bench_pages") as bench:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(data_dir=Path(data_dir))
            database = Database(bench.urls.app_url, pool_size=2)
            try:
                employees = await seed(database, DataKeys(settings.resolve_master_key()))
            finally:
                await database.dispose()
            port, log = free_port(), Path(data_dir) / "server.log"
            env = {
                **os.environ,
                "DATABASE_URL": bench.urls.app_url,
                "DATABASE_OWNER_URL": bench.urls.owner_url,
                "TIMEWARD_DATA_DIR": data_dir,
                "TIMEWARD_LOG_JSON": "1",
                "TIMEWARD_PUBLIC_URL": f"http://127.0.0.1:{port}",
            }
            profile = os.environ.get("BENCH_PROFILE")  # a path: record the app with py-spy
            spy = ["py-spy", "record", "--format", "raw", "-o", profile, "--"] if profile else []
            with log.open("wb") as out:
                server = await asyncio.create_subprocess_exec(
                    *spy, sys.executable, "-c", SERVER, str(port), env=env, stdout=out, stderr=out
                )
                try:
                    base = f"http://127.0.0.1:{port}"
                    await wait_until_up(base, server)
                    started = time.perf_counter()
                    ids = await measure(base, requests, None if profile else server.pid)
                    elapsed = time.perf_counter() - started
                finally:
                    server.send_signal(signal.SIGINT) if profile else server.terminate()
                    await asyncio.wait_for(server.wait(), 30)
            times = server_times(log)
    print(f"demo tenant, {employees} employees, {OPEN_REQUESTS} open privacy requests")
    print(f"{requests} requests a page after {WARM_UP} to warm up, round-robin, {elapsed:.0f} s")
    print(f"server time (ms) from the access log; {load()} at the end")
    baseline = statistics.median(times[i] for i in ids[PAGES[0][0]])
    for label, _, _ in PAGES:
        lat = sorted(times[i] for i in ids[label])
        p90 = lat[max(int(len(lat) * 0.9) - 1, 0)]
        median = statistics.median(lat)
        cpu = f"  server CPU {CPU_MS[label]:6.2f} ms/request" if label in CPU_MS else ""
        print(
            f"{label:<36} median {median:7.2f}  p90 {p90:7.2f}  {median / baseline:6.1f}x health"
            f"{cpu}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--only", help="only the pages whose path contains this (and /health)")
    arguments = parser.parse_args()
    if arguments.only:
        PAGES = tuple(p for p in PAGES if p[2] == "/health" or arguments.only in p[2])
    asyncio.run(main(arguments.requests))
