"""Small query helpers shared by services."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.errors import NotFound
from timeward.paging import PageRequest

T = TypeVar("T")

LOCK_NOT_AVAILABLE = "55P03"


class RowBusy(Exception):
    """Another transaction held the row longer than the wait: try again later."""


async def one_or_not_found(
    session: AsyncSession, statement: Select[T], what: str, *, lock: bool = False
) -> T:
    """The single row the statement selects (row-locked on request), else 404 for ``what``.

    A row of another tenant is invisible under RLS, so it is "not found" as well.
    """
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    row = await session.scalar(statement)
    if row is None:
        raise NotFound(what)
    return row


async def lock_waiting_briefly(
    session: AsyncSession, statement: Select[T], *, wait_ms: int = 5_000
) -> T | None:
    """The row the statement selects, row-locked, or None when none matches.

    Waits up to ``wait_ms`` for a lock held by another transaction instead of skipping
    the row (``SKIP LOCKED`` took an HTTP request's brief lock for "another job has it"
    and dropped the work); longer than that raises :class:`RowBusy`, for a retry.
    """
    await session.execute(text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
    try:
        row = await session.scalar(
            statement.with_for_update().execution_options(populate_existing=True)
        )
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise RowBusy() from None
        raise
    await session.execute(text("SET LOCAL lock_timeout TO DEFAULT"))
    return row


async def fetch_page(session: AsyncSession, statement: Select[T], page: PageRequest) -> list[T]:
    """The entities of one page of the (ordered) statement: ``page.fetch`` rows, one more
    than a page, so that ``make_page`` can tell whether another page follows."""
    rows = await session.scalars(statement.limit(page.fetch).offset(page.offset))
    return list(rows.all())
