"""The demo tenant seeded on first run, so the product shows something at once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import structlog

from timeward.db.session import Database
from timeward.identity.models import PlatformRole, TenantRole
from timeward.identity.service import (
    NewTenant,
    add_member,
    add_platform_staff,
    create_tenant,
    tenant_by_slug,
)

log = structlog.get_logger(__name__)

DEMO_SLUG = "demo"
DEMO_LOGINS = (
    ("admin@demo.timeward.test", TenantRole.CLIENT_ADMIN),
    ("manager@demo.timeward.test", TenantRole.CLIENT_MANAGER),
    ("employee@demo.timeward.test", TenantRole.EMPLOYEE),
)
PLATFORM_LOGIN = ("ops@timeward.test", PlatformRole.PLATFORM_ADMIN)


@dataclass(frozen=True)
class DemoLogins:
    tenant_slug: str
    password: str
    tenant_users: tuple[tuple[str, str], ...]
    platform_user: tuple[str, str]

    def describe(self) -> str:
        lines = [f"Demo logins (password: {self.password})"]
        lines += [
            f"  tenant '{self.tenant_slug}'  {role:<15} {email}"
            for email, role in self.tenant_users
        ]
        email, role = self.platform_user
        lines.append(f"  tenant 'platform' {role:<15} {email}")
        return "\n".join(lines)


def demo_password(data_dir: Path) -> str:
    path = data_dir / "demo-password"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


async def seed_demo(database: Database, password: str) -> DemoLogins:
    """Create the demo tenant and its logins unless they already exist."""
    logins = DemoLogins(
        tenant_slug=DEMO_SLUG,
        password=password,
        tenant_users=tuple((email, str(role)) for email, role in DEMO_LOGINS),
        platform_user=(PLATFORM_LOGIN[0], str(PLATFORM_LOGIN[1])),
    )
    if await tenant_by_slug(database, DEMO_SLUG) is not None:
        log.info("demo.already_seeded")
        return logins
    tenant_id = await create_tenant(
        database,
        NewTenant(slug=DEMO_SLUG, name="Demo Construction GmbH", country="DE", subdivision="BE"),
    )
    for email, role in DEMO_LOGINS:
        await add_member(database, tenant_id, email, password, role)
    await add_platform_staff(database, PLATFORM_LOGIN[0], password, PLATFORM_LOGIN[1])
    log.info("demo.seeded", tenant_id=str(tenant_id))
    return logins
