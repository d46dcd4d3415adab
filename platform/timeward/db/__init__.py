"""Database access: engines, tenant-scoped sessions, row-level-security helpers."""

from timeward.db.session import Database, Scope

__all__ = ["Database", "Scope"]
