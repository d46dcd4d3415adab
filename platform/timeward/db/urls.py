"""Normalise PostgreSQL URLs for the drivers in use."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url


def async_url(url: str) -> URL:
    """The SQLAlchemy asyncpg form of any ``postgres://`` / ``postgresql://`` URL."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+asyncpg")


def with_user(url: str, user: str, password: str | None = None) -> str:
    return str(
        make_url(url).set(username=user, password=password).render_as_string(hide_password=False)
    )


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def asyncpg_dsn(url: URL) -> str:
    """A SQLAlchemy URL (the pool's) as a plain DSN for a connection of asyncpg's own."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
