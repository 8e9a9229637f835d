"""The list of documentation requests (§95921(c)): staff of the jurisdiction see theirs, a party only
the requests addressed to it, everyone else nothing; over real HTTP, PostgreSQL and the broker."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


async def test_documentation_requests_are_listed_for_the_jurisdictions_staff_and_the_addressed_party_only(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.to_approval(seller, buyer)
    tid = t["transfer_id"]
    officer, roles = world.eo()
    r = await world.post(officer, f"/v1/transfers/{tid}/documentation-requests",
                         {"party": "source", "description": "the written agreement MSA-2026-117"}, roles)
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]
    other = await world.to_approval(await world.party(), buyer)
    r = await world.post(officer, f"/v1/transfers/{other['transfer_id']}/documentation-requests",
                         {"party": "destination", "description": "proof of payment"}, roles)
    assert r.status_code == 201, r.text
    other_id = r.json()["id"]

    async def listed(subject: str, roles: tuple[str, ...] = ("individual",), **params: object) -> list[str]:
        r = await world.get(subject, "/v1/documentation-requests", roles, **params)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()]

    administrator = ("accounts_administrator:CA",)
    assert request_id in await listed(officer, roles)
    assert request_id in await listed(world.uid("adm"), administrator, status="open")
    assert {request_id, other_id} <= set(await listed(officer, roles))
    assert await listed(world.uid("adm"), ("accounts_administrator:QC", "executive_officer:QC")) == []
    assert await listed(seller.alternates[1]) == [request_id]  # the addressed party, only its own
    assert await listed(buyer.primary) == [other_id]
    assert await listed(buyer.primary, transfer_id=tid) == []  # a party to the transfer, but not addressed
    assert await listed(seller.viewer) == []  # viewing agents do not answer documentation requests
    assert await listed(world.uid("ind"), ("market_monitor:QC",)) == []
    r = await world.get(seller.primary, "/v1/documentation-requests", status="lost")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    assert (await world.get(None, "/v1/documentation-requests")).status_code == 401  # type: ignore[arg-type]

    async with world.client(seller.primary) as c:
        r = await c.post(f"/v1/documentation-requests/{request_id}/documents",
                         files={"file": ("agreement.pdf", b"%PDF-1.7 signed", "application/pdf")})
    assert r.status_code == 201, r.text
    r = await world.get(officer, "/v1/documentation-requests", roles, transfer_id=tid)
    [row] = r.json()
    assert row["status"] == "fulfilled" and row["documents"] == 1 and row["jurisdiction"] == "CA"
    assert row["party"] == "source" and row["account_number"] == seller.holding and "content" not in row
    assert await listed(officer, roles, status="open", transfer_id=tid) == []
