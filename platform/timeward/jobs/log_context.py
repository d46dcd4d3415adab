"""Bind each message's id, actor and tenant into structlog's context variables.

Async actors run on the worker's event loop thread, but the coroutine is scheduled
from the worker thread with the context copied, so lines logged inside the actor
carry these keys too. They are reset after the message, processed or skipped.
"""

from __future__ import annotations

import inspect
import threading
import time
from typing import Any

import dramatiq
import structlog
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware

log = structlog.get_logger("timeward.jobs")

TENANT_ARGUMENT = "tenant_id"


def _tenant_argument(broker: dramatiq.Broker, message: MessageProxy) -> str | None:
    actor = broker.actors.get(message.actor_name)
    if actor is None:
        return None
    try:
        bound = inspect.signature(actor.fn).bind_partial(*message.args, **message.kwargs)
    except TypeError:
        return None
    tenant = bound.arguments.get(TENANT_ARGUMENT)
    return None if tenant is None else str(tenant)


def message_context(broker: dramatiq.Broker, message: MessageProxy) -> dict[str, str]:
    context = {"message_id": message.message_id, "actor_name": message.actor_name}
    tenant = _tenant_argument(broker, message)
    if tenant is not None:
        context[TENANT_ARGUMENT] = tenant
    return context


class LogContext(Middleware):
    """structlog context for the duration of one message, per worker thread."""

    def __init__(self) -> None:
        self._local = threading.local()

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._local.started = time.perf_counter()
        self._local.tokens = structlog.contextvars.bind_contextvars(
            **message_context(broker, message)
        )

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        duration_ms = round((time.perf_counter() - getattr(self._local, "started", 0.0)) * 1000, 2)
        if exception is None:
            log.info("job.done", duration_ms=duration_ms)
        else:  # the type only: exception messages may carry personal data
            log.warning("job.failed", duration_ms=duration_ms, error=type(exception).__name__)
        self._reset()

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._reset()

    def _reset(self) -> None:
        tokens = getattr(self._local, "tokens", None)
        if tokens:
            structlog.contextvars.reset_contextvars(**tokens)
        self._local.tokens = None
