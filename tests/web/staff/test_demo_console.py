"""The embedded demo makes the staff console worth opening: a second tenant, instructions
of both tenants in different states and escalations, and one breach, seeded once."""

from __future__ import annotations

import httpx
import structlog

from tests.web.pages import page_client
from tests.web.staff.console import staff_sign_in
from timeward.db.session import Database
from timeward.demo import seed_demo
from timeward.demo_processor import DEMO_INSTRUCTIONS, SECOND_SLUG
from timeward.services import Services

PASSWORD = "demo-password-for-tests"


async def test_the_demo_staff_account_sees_a_queue_a_failure_and_a_breach(
    live_server: str, db: Database, client: httpx.AsyncClient, services: Services
) -> None:
    with structlog.testing.capture_logs() as logs:
        logins = await seed_demo(db, PASSWORD, data_keys=services.data_keys)
        await seed_demo(db, PASSWORD, data_keys=services.data_keys)  # once only
    assert "@" not in repr(logs)
    assert "/staff/sign-in" in logins.describe() and SECOND_SLUG in logins.describe()
    async with page_client(live_server) as browser:
        signed_in = await staff_sign_in(browser, logins.platform_user[0], PASSWORD)
        assert signed_in.status_code == 303, signed_in.text
        overview = (await browser.get("/staff")).text
        assert f"{len(DEMO_INSTRUCTIONS)} open" in overview
        assert "overdue: 0" not in overview and "on track: 0" not in overview
        assert "SMTPRecipientsRefused" in overview  # why it failed
        assert "delivery failed: the mail server refused it" in overview
        assert overview.count('data-testid="queue-row"') == 1  # the failed one
        assert "Misrouted backup copy" in overview
        queue = (await browser.get("/staff/instructions")).text
        assert queue.count('data-testid="queue-row"') == len(DEMO_INSTRUCTIONS)
        assert "(demo)" in queue and f"({SECOND_SLUG})" in queue
        tenants = (await browser.get("/staff/tenants")).text
        assert tenants.count('data-testid="tenant"') == 2
