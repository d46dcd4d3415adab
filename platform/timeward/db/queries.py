"""Small query helpers shared by services."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from timeward.errors import NotFound

T = TypeVar("T")


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
