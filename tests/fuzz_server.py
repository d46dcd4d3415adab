"""The app in its own process, for fuzzers that call it synchronously."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from timeward.config import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_log(data_dir: Path) -> Path:
    """The app's stdout and stderr, kept: a 5xx's traceback is there."""
    return data_dir / "server.log"


@contextmanager
def app_process(settings: Settings, data_dir: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "TIMEWARD_MASTER_KEY": settings.master_key or "",
        "TIMEWARD_ENV": "test",
        "TIMEWARD_DATA_DIR": str(data_dir),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "timeward.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    log = server_log(data_dir).open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "the app process exited"
            assert time.monotonic() < deadline, "the app process did not become ready"
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
