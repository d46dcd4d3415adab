"""The ``timeward`` command."""

from __future__ import annotations

import asyncio
import os
import sys

import click
import structlog

from timeward.config import Settings, load_settings
from timeward.db.bootstrap import bootstrap_database
from timeward.db.embedded import local_password, start_embedded_server
from timeward.db.migrate import upgrade_to_head
from timeward.db.session import Database
from timeward.demo import demo_password, seed_demo
from timeward.observability.logging import configure_logging

log = structlog.get_logger("timeward.cli")

EMBEDDED_DATABASE = "timeward"


def resolve_databases(settings: Settings) -> Settings:
    """Use the configured server, or start the embedded one and create its roles."""
    if settings.database_url:
        return settings
    admin_url = start_embedded_server(settings.data_dir)
    urls = asyncio.run(
        bootstrap_database(admin_url, EMBEDDED_DATABASE, local_password(settings.data_dir))
    )
    click.echo(f"Embedded PostgreSQL running with its data in {settings.data_dir / 'pgdata'}")
    return settings.with_databases(urls.app_url, urls.owner_url)


def migrate_or_explain(settings: Settings) -> None:
    if not settings.database_owner_url:
        click.echo("DATABASE_OWNER_URL not set: skipping migrations (run them as the owner role).")
        return
    upgrade_to_head(settings.database_owner_url, settings.app_role)


async def _seed(settings: Settings) -> str:
    assert settings.database_url
    database = Database(settings.database_url, pool_size=2)
    try:
        logins = await seed_demo(database, demo_password(settings.data_dir))
    finally:
        await database.dispose()
    return logins.describe()


@click.group()
def main() -> None:
    """Timeward: workforce time tracking, processor for its client companies."""
    configure_logging(json=load_settings().log_json)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo/--no-demo", default=True, help="Seed the demo tenant on start.")
def serve(host: str, port: int, demo: bool) -> None:
    """Run the API (embedded PostgreSQL when DATABASE_URL is not set)."""
    import uvicorn

    from timeward.app import create_app

    settings = resolve_databases(load_settings())
    migrate_or_explain(settings)
    if demo:
        click.echo(asyncio.run(_seed(settings)))
    click.echo(f"API on http://{host}:{port}  (OpenAPI docs: http://{host}:{port}/docs)")
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)


@main.command()
def migrate() -> None:
    """Apply every pending migration, as the schema owner."""
    settings = resolve_databases(load_settings())
    if not settings.database_owner_url:
        raise click.ClickException("DATABASE_OWNER_URL is required to run migrations")
    upgrade_to_head(settings.database_owner_url, settings.app_role)
    click.echo("Database migrated to head.")


@main.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo tenant and print its logins."""
    settings = resolve_databases(load_settings())
    migrate_or_explain(settings)
    click.echo(asyncio.run(_seed(settings)))


@main.command("setup-db")
@click.option("--admin-url", required=True, help="A superuser URL of the target server.")
@click.option("--database", default="timeward", show_default=True)
def setup_db(admin_url: str, database: str) -> None:
    """Create the database, owner and application roles on your own server."""
    settings = load_settings()
    urls = asyncio.run(bootstrap_database(admin_url, database, local_password(settings.data_dir)))
    click.echo(f"export DATABASE_URL='{urls.app_url}'")
    click.echo(f"export DATABASE_OWNER_URL='{urls.owner_url}'")


@main.command()
@click.option("--processes", default=1, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
def worker(processes: int, threads: int) -> None:
    """Run background job workers (Dramatiq) against BROKER_URL."""
    if not load_settings().broker_url:
        raise click.ClickException(
            "BROKER_URL is not set: without a broker `timeward serve` runs the jobs itself"
        )
    settings = resolve_databases(load_settings())
    os.environ.setdefault("DATABASE_URL", settings.database_url or "")
    args = [
        sys.executable,
        "-m",
        "dramatiq",
        "timeward.jobs.worker",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
    ]
    os.execv(sys.executable, args)  # noqa: S606 - replaces this process with the worker


@main.command()
def scheduler() -> None:
    """Enqueue periodic jobs on BROKER_URL. Run exactly one (one replica)."""
    if not load_settings().broker_url:
        raise click.ClickException(
            "BROKER_URL is not set: without a broker `timeward serve` runs the scheduler itself"
        )
    from timeward.jobs.schedule import run_scheduler

    run_scheduler()


if __name__ == "__main__":
    main()
