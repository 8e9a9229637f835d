"""Restrictions (§95921(g)), the 30-day sweep, holding-limit headroom (§95920), confidentiality (§95921(e))."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.contracts.registry import ExecuteMove, InstrumentSpec

from .conftest import CA_LIMIT, QC_LIMIT, YEAR

pytestmark = pytest.mark.integration

CA = InstrumentSpec(instrument_type="allowance", jurisdiction="CA", vintage=YEAR)
EO = {"subject": "eo-CA", "roles": ("executive_officer:CA",)}


@pytest.fixture(scope="module")
def registry_settings():
    return {"sweep_interval_seconds": 0.3}


async def _move(registry, source, destination, quantity, **kw) -> dict:
    command = ExecuteMove(request_id=registry.uid("mv"), requested_by="transfers", source_account=source,
                          destination_account=destination, instrument=kw.pop("instrument", CA), quantity=quantity,
                          reason=kw.pop("reason", "transfer"), **kw)
    await registry.send(command)

    def answered() -> list:
        return (registry.tap.find("registry.MoveRecorded", request_id=command.request_id)
                or registry.tap.find("registry.MoveRefused", request_id=command.request_id))

    from shared.testing.server import eventually

    answer = (await eventually(answered))[0]
    return {"recorded": "move_id" in answer, **answer}


async def test_the_executive_officer_prohibits_transfers_and_lowers_a_limit(registry):
    restricted, other = await registry.entity(), await registry.entity()
    holding = restricted["accounts"]["holding"]
    await registry.fund(holding, 1_000)
    r = await registry.call("PUT", f"/v1/entities/{restricted['entity_id']}/restrictions", **registry.staff(),
                            json={"transfers": "prohibited", "reason": "investigation"})
    assert r.status_code == 403  # the registrar may not; the Executive Officer may (§95921(g))
    await registry.ok("PUT", f"/v1/entities/{restricted['entity_id']}/restrictions", **EO,
                      json={"transfers": "compliance_only", "holding_limit": 1_500, "reason": "§95921(d)(4) review"})
    changed = await registry.tap.wait("registry.EntityChanged", entity_id=restricted["entity_id"],
                                      transfer_restriction="compliance_only")
    assert changed["transfers_restricted"] is True
    await registry.tap.wait("registry.AccountChanged", account_number=holding, status="restricted")

    out = await _move(registry, holding, other["accounts"]["holding"], 10)
    assert out["code"] == "transfers_prohibited"
    to_compliance = await _move(registry, holding, restricted["accounts"]["compliance"], 10)
    assert to_compliance["recorded"]  # §95921(d)(4): its own compliance account stays open
    await registry.fund(other["accounts"]["holding"], 600)
    over = await _move(registry, other["accounts"]["holding"], holding, 501)
    assert over["code"] == "holding_limit_exceeded"  # §95921(g)(1): lowered to 1,500
    headroom = await registry.ok("GET", f"/v1/holding-limits/{restricted['entity_id']}/headroom",
                                 subject=restricted["viewer"])
    assert headroom["limit"] == 1_500 and headroom["counted"] == 1_000

    await registry.ok("PUT", f"/v1/entities/{restricted['entity_id']}/restrictions", **EO,
                      json={"transfers": "none", "reason": "cleared"})
    await registry.tap.wait("registry.AccountChanged", account_number=holding, status="open")
    assert (await _move(registry, holding, other["accounts"]["holding"], 10))["recorded"]


async def test_headroom_counts_the_association_jointly_and_exempts_part_of_the_compliance_account(registry):
    parent = await registry.entity()
    child = await registry.entity(associations=[{
        "associate_entity_id": parent["entity_id"], "indicia": [{"kind": "llc_ownership", "percent": "100"}]}])
    await registry.fund(parent["accounts"]["holding"], 2_000)
    await registry.fund(child["accounts"]["holding"], 3_000)
    moved = await _move(registry, child["accounts"]["holding"], child["accounts"]["compliance"], 1_000)
    assert moved["recorded"]
    await registry.ok("PUT", f"/v1/entities/{child['entity_id']}/compliance-exemption", **EO, json={"quantity": 400})

    headroom = await registry.ok("GET", f"/v1/holding-limits/{parent['entity_id']}/headroom", **registry.staff())
    assert headroom["shared_jointly"] and set(headroom["association"]) == {parent["entity_id"], child["entity_id"]}
    assert headroom["compliance_exempted"] == 400
    assert headroom["counted"] == 2_000 + 2_000 + 600 and headroom["limit"] == CA_LIMIT
    future = await registry.ok("GET", f"/v1/holding-limits/{parent['entity_id']}/headroom", **registry.staff(),
                               params={"vintage": YEAR + 2})
    assert future["budget_year"] == YEAR + 2 and future["counted"] == 0

    r = await registry.call("GET", f"/v1/holding-limits/{parent['entity_id']}/headroom", subject="stranger")
    assert r.status_code == 404


async def test_quebec_entities_count_against_the_combined_budget(registry):
    qc = await registry.entity(jurisdiction="QC")
    headroom = await registry.ok("GET", f"/v1/holding-limits/{qc['entity_id']}/headroom",
                                 **registry.staff("registrar", "QC"))
    assert headroom["limit"] == QC_LIMIT and headroom["annual_budget"] == 120_000_000


async def test_holdings_and_serials_are_visible_only_to_representatives_agents_and_staff(registry):
    owner, stranger = await registry.entity(), await registry.entity()
    holding = owner["accounts"]["holding"]
    await registry.fund(holding, 250)
    for subject in (owner["primary"], owner["alternate"], owner["viewer"]):
        body = await registry.ok("GET", f"/v1/accounts/{holding}/holdings", subject=subject)
        assert body["balances"][0]["quantity"] == 250 and body["blocks"]
    for who in ({"subject": stranger["primary"]}, registry.staff("registrar", "QC"),
                {"subject": "svc", "roles": ("machine",)}):
        r = await registry.call("GET", f"/v1/accounts/{holding}/holdings", **who)
        assert r.status_code == 404  # §95921(e)(3): not even its existence
    monitor = await registry.call("GET", f"/v1/accounts/{holding}/holdings", **registry.staff("market_monitor"))
    assert monitor.is_success
    r = await registry.call("GET", f"/v1/accounts/{holding[:-2]}00/holdings", subject=owner["primary"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_account_number"


async def test_the_public_report_gives_compliance_totals_without_identities(registry):
    entity = await registry.entity()
    await registry.fund(entity["accounts"]["holding"], 700)
    assert (await _move(registry, entity["accounts"]["holding"], entity["accounts"]["compliance"], 700))["recorded"]
    async with registry.service.client() as anonymous:
        r = await anonymous.get("/v1/public/compliance-account-totals")
    assert r.status_code == 200
    totals = r.json()["totals"]
    row = next(t for t in totals if t["account_jurisdiction"] == "CA" and t["vintage"] == YEAR)
    assert row["quantity"] >= 700
    text = r.text
    assert entity["entity_id"] not in text and entity["accounts"]["compliance"] not in text


async def test_a_revoked_entity_has_30_days_to_sell_then_the_remainder_goes_to_auction(registry):
    """§95921(g)(3)(A)-(B), driven by the clock."""
    revoked, buyer = await registry.entity(), await registry.entity()
    holding = revoked["accounts"]["holding"]
    await registry.fund(holding, 1_000)
    body = await registry.ok("POST", f"/v1/entities/{revoked['entity_id']}/revoke", **EO, json={"reason": "fraud"})
    assert body["status"] == "revoked"
    await registry.tap.wait("registry.AccountChanged", account_number=holding, status="revoked")

    assert (await _move(registry, buyer["accounts"]["holding"], holding, 1))["code"] in (
        "account_not_open", "insufficient_holdings")  # may not hold more
    assert (await _move(registry, holding, buyer["accounts"]["holding"], 300))["recorded"]  # may still sell
    nothing = await registry.ok("POST", "/v1/ops/revocation-sweep", **EO)
    assert revoked["entity_id"] not in [c["entity_id"] for c in nothing["consigned"]]

    registry.clock.advance(timedelta(days=30, seconds=1))
    late = await _move(registry, holding, buyer["accounts"]["holding"], 1)
    assert late["code"] == "sell_window_closed"
    # the background sweep (every 0.3 s here, on the injected clock) consigns the remainder to auction
    recorded = await registry.tap.wait("registry.MoveRecorded", reason="revocation_consignment",
                                       reference=revoked["entity_id"])
    auction = (await registry.jurisdiction_accounts())["auction_holding"]
    assert recorded["quantity"] == 700 and recorded["destination_account"] == auction
    assert await registry.balance(holding) == 0
    again = await registry.ok("POST", "/v1/ops/revocation-sweep", subject="ops", roles=("machine",))
    assert revoked["entity_id"] not in [c["entity_id"] for c in again["consigned"]]  # never twice
