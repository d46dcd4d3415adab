"""Legal holds keep only what they cover, and a confidential one never shows to the client."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from tests.accounts import Accounts
from tests.fixtures.jobs import Jobs
from tests.instructions.support import (
    DONE,
    instruct,
    place_hold,
    release_hold,
    wait_for_status,
)
from tests.workforce.seed import seed_workforce


async def _certificates(
    client: httpx.AsyncClient, acme: Accounts, staff: Accounts, instruction_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The client's and the staff's view of the instruction's certificate (payloads)."""
    client_view = await client.get(
        f"/api/v1/instructions/{instruction_id}/certificate", headers=acme.auth("client_admin")
    )
    assert client_view.status_code == 200, client_view.text
    staff_view = await client.get(
        f"/api/v1/platform/instructions/{instruction_id}/certificate",
        headers=staff.auth("platform_staff"),
    )
    assert staff_view.status_code == 200, staff_view.text
    return client_view.json()["payload"], staff_view.json()["payload"]


async def _hold_subject(
    client: httpx.AsyncClient,
    staff: Accounts,
    acme: Accounts,
    subject_id: UUID,
    *,
    told: bool,
    **body: Any,
) -> dict[str, Any]:
    """A hold on one of acme's employees, disclosed to the client or not (the 201 body)."""
    return await place_hold(
        client,
        staff,
        acme.tenant_id,
        scope="subject",
        subject_id=str(subject_id),
        client_may_be_told=told,
        **body,
    )


async def _hold_others(
    client: httpx.AsyncClient, staff: Accounts, acme: Accounts, people: dict[str, UUID]
) -> None:
    """A confidential hold on the manager, a disclosed one on the colleague."""
    assert acme.tenant_id
    await _hold_subject(client, staff, acme, people["client_manager"], told=False)
    await _hold_subject(client, staff, acme, people["colleague"], told=True)


async def test_holds_on_other_people_do_not_touch_a_subjects_deletion(
    client: httpx.AsyncClient, jobs: Jobs, acme: Accounts, staff: Accounts
) -> None:
    people = (await seed_workforce(client, acme)).employees
    await _hold_others(client, staff, acme, people)
    created = await instruct(
        client, acme, kind="delete_subject", subject_id=str(people["employee"])
    )
    instruction_id = created["instruction"]["id"]
    await jobs.drain()

    detail = await wait_for_status(client, acme, instruction_id, DONE)
    assert detail["instruction"]["status"] == "completed", detail
    assert detail["instruction"]["status_reason"] is None
    assert not any("hold" in (row["basis"] or "") for row in detail["progress"]), detail
    for payload in await _certificates(client, acme, staff, instruction_id):
        assert payload["outcome"] == "completed" and payload["legal_holds"] == []


async def test_a_subjects_certificate_names_only_the_hold_on_that_subject(
    client: httpx.AsyncClient, jobs: Jobs, acme: Accounts, staff: Accounts
) -> None:
    """Held themself (disclosed), while a confidential hold lies on someone else: the client
    sees the partial result and its own hold, nothing of the confidential one."""
    assert acme.tenant_id
    people = (await seed_workforce(client, acme)).employees
    await _hold_others(client, staff, acme, people)
    own = await _hold_subject(
        client, staff, acme, people["employee"], told=True, reference="Subpoena 99/27"
    )
    # named by login account only: the hold names the employee record, and still covers it
    user_id = str(acme.user_id("employee"))
    created = await instruct(client, acme, kind="delete_subject", subject_user_id=user_id)
    instruction_id = created["instruction"]["id"]
    await jobs.drain()

    detail = await wait_for_status(client, acme, instruction_id, DONE)
    assert detail["instruction"]["status"] == "partially_completed", detail
    assert "Subpoena 99/27" in detail["instruction"]["status_reason"]
    assert "12 O 34/27" not in detail["instruction"]["status_reason"]
    assert detail["instruction"]["certificate_id"] is not None
    for payload in await _certificates(client, acme, staff, instruction_id):
        assert payload["outcome"] == "partially_completed"
        assert [h["id"] for h in payload["legal_holds"]] == [own["id"]]


async def test_releasing_a_hold_on_someone_else_leaves_a_held_instruction_alone(
    client: httpx.AsyncClient, jobs: Jobs, acme: Accounts, staff: Accounts
) -> None:
    """A confidential hold's release must not rerun (and re-announce) another subject's
    instruction that its own hold keeps partially completed."""
    assert acme.tenant_id
    people = (await seed_workforce(client, acme)).employees
    await _hold_subject(client, staff, acme, people["employee"], told=True)
    created = await instruct(
        client, acme, kind="delete_subject", subject_id=str(people["employee"])
    )
    instruction_id = created["instruction"]["id"]
    await jobs.drain()
    before = await wait_for_status(client, acme, instruction_id, {"partially_completed"})

    other = await _hold_subject(client, staff, acme, people["client_manager"], told=False)
    await release_hold(client, staff, other["id"])
    await jobs.drain()
    after = await wait_for_status(client, acme, instruction_id, {"partially_completed"})
    assert after["history"] == before["history"]
    assert after["instruction"]["certificate_id"] == before["instruction"]["certificate_id"]
