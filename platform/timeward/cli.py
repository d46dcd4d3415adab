"""The ``timeward`` command."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

import click
import structlog

from timeward.acting import Acting
from timeward.audit.log import verify_chains
from timeward.config import Settings, load_settings
from timeward.db.bootstrap import RolePasswords, bootstrap_database
from timeward.db.embedded import start_embedded_server
from timeward.db.migrate import upgrade_to_head
from timeward.demo import DemoLogins, demo_password, seed_demo
from timeward.errors import DomainError
from timeward.identity.invitations import onboard_tenant
from timeward.identity.service import NewTenant
from timeward.observability.logging import configure_logging
from timeward.services import Services, running_services

log = structlog.get_logger("timeward.cli")

EMBEDDED_DATABASE = "timeward"
T = TypeVar("T")


def resolve_databases(settings: Settings) -> Settings:
    """Use the configured server, or start the embedded one and create its roles.

    Either URL being set means a real server: the embedded one is never started then,
    so a migration job holding only the owner URL migrates that server.
    """
    if settings.database_url or settings.database_owner_url:
        return settings
    admin_url = start_embedded_server(settings.data_dir)
    urls = asyncio.run(
        bootstrap_database(admin_url, EMBEDDED_DATABASE, RolePasswords.local(settings.data_dir))
    )
    click.echo(f"Embedded PostgreSQL running with its data in {settings.data_dir / 'pgdata'}")
    return settings.with_databases(urls.app_url, urls.owner_url)


def migrate_or_explain(settings: Settings) -> None:
    if not settings.database_owner_url:
        click.echo("DATABASE_OWNER_URL not set: skipping migrations (run them as the owner role).")
        return
    upgrade_to_head(settings.database_owner_url, settings.app_role)


def _with_services(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
    """Run one command's work with the same services the API and the worker build."""

    async def run() -> T:
        async with running_services(settings, pool_size=2) as services:
            return await work(services)

    return asyncio.run(run())


def _seed(settings: Settings) -> DemoLogins:
    async def work(services: Services) -> DemoLogins:
        password = demo_password(settings.data_dir)
        return await seed_demo(services.database, password, data_keys=services.data_keys)

    return _with_services(settings, work)


@click.group()
def main() -> None:
    """Timeward: workforce time tracking, processor for its client companies."""
    configure_logging(json=load_settings().log_json)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo/--no-demo", default=True, help="Seed the demo tenant on start.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="API processes (uvicorn workers); one per CPU core the API may use.",
)
def serve(host: str, port: int, demo: bool, workers: int) -> None:
    """Run the API (embedded PostgreSQL when DATABASE_URL is not set)."""
    import uvicorn

    from timeward.app import create_app
    from timeward.web.server import uvicorn_options

    settings = resolve_databases(load_settings())
    migrate_or_explain(settings)
    site = f"http://{host}:{port}"
    if demo:
        logins = _seed(settings)
        employee = logins.first_of("employee")
        click.echo(f"Open {site}/ and sign in as {employee} (tenant {logins.tenant_slug})")
        admin = logins.first_of("client_admin")
        click.echo(f"The client admin's console: sign in there as {admin} (same tenant)")
        staff = logins.platform_user[0]
        click.echo(f"Platform staff: open {site}/staff/sign-in and sign in as {staff}")
        click.echo(logins.describe())
    else:
        click.echo(f"Open {site}/ to sign in")
    click.echo(f"API on {site}/api/v1  (OpenAPI docs: {site}/docs)")
    # uvicorn re-raises SIGTERM once it has shut down; exiting normally instead lets the
    # embedded PostgreSQL's exit hook stop the server it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    options = uvicorn_options(settings)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, **options)
        return
    # Each worker process builds its own app from the environment: hand it the
    # databases resolved here (the embedded server's URLs included).
    for name, value in (
        ("DATABASE_URL", settings.database_url),
        ("DATABASE_OWNER_URL", settings.database_owner_url),
    ):
        if value:
            os.environ[name] = value
    uvicorn.run(
        "timeward.app:create_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        # A worker process re-imports this CLI before it can answer the supervisor's
        # ping; on a busy host that took longer than uvicorn's 5 s, and the supervisor
        # killed and restarted workers in a loop.
        timeout_worker_healthcheck=30,
        **options,
    )


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
    click.echo(_seed(settings).describe())


@main.command("setup-db")
@click.option("--admin-url", required=True, help="A superuser URL of the target server.")
@click.option("--database", default="timeward", show_default=True)
def setup_db(admin_url: str, database: str) -> None:
    """Create the database, owner and application roles on your own server."""
    settings = load_settings()
    passwords = RolePasswords.local(settings.data_dir)
    urls = asyncio.run(bootstrap_database(admin_url, database, passwords))
    click.echo(f"export DATABASE_URL='{urls.app_url}'")
    click.echo(f"export DATABASE_OWNER_URL='{urls.owner_url}'")


@main.command("create-tenant")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option("--country", required=True, help="ISO 3166-1 alpha-2, e.g. DE")
@click.option("--subdivision", default=None, help="e.g. BY for Bavaria")
@click.option("--admin-email", required=True, help="Invited by e-mail; sets their own password")
def create_tenant_command(
    slug: str,
    name: str,
    country: str,
    subdivision: str | None,
    admin_email: str,
) -> None:
    """Create a client tenant and e-mail its first client admin an invitation."""
    settings = resolve_databases(load_settings())

    async def work(services: Services) -> UUID:
        return await onboard_tenant(
            services.database,
            settings,
            services.audit,
            NewTenant(slug, name, country.upper(), subdivision),
            admin_email,
            Acting(None, "cli"),
        )

    try:
        tenant_id = _with_services(settings, work)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"Created tenant {slug} ({tenant_id})")
    click.echo(
        f"Invitation queued for the admin address (valid {settings.invitation_hours} hours); "
        "the worker sends it."
    )


@main.group()
def keys() -> None:
    """Token signing keys: list, rotate, retire."""


@keys.command("list")
def keys_list() -> None:
    settings = resolve_databases(load_settings())
    for kid, created, retired in _with_services(settings, lambda s: s.keys.list_keys()):
        state = f"retired {retired:%Y-%m-%d %H:%M}" if retired else "active"
        click.echo(f"{kid}  created {created:%Y-%m-%d %H:%M}  {state}")


@keys.command("rotate")
def keys_rotate() -> None:
    """Add a new signing key; tokens signed by older keys stay valid until retired."""
    settings = resolve_databases(load_settings())
    click.echo(f"New signing key: {_with_services(settings, lambda s: s.keys.rotate())}")


@keys.command("retire")
@click.argument("kid")
def keys_retire(kid: str) -> None:
    """Remove a key from the JWKS: tokens it signed are rejected from then on."""
    settings = resolve_databases(load_settings())
    if not _with_services(settings, lambda s: s.keys.retire(kid)):
        raise click.ClickException(f"No active key {kid}")
    click.echo(f"Retired {kid}")


@main.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("verify")
@click.option("--tenant", "slug", default=None, help="A tenant slug; default: every chain.")
def audit_verify(slug: str | None) -> None:
    """Report the first broken link of each chain; exit 1 if any is broken."""
    settings = resolve_databases(load_settings())
    results = _with_services(settings, lambda s: verify_chains(s.database, slug))
    for label, broken in results:
        verdict = "intact" if broken is None else f"BROKEN at seq {broken.seq}: {broken.reason}"
        click.echo(f"{label}: {verdict}")
    if any(broken for _, broken in results):
        raise SystemExit(1)


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
