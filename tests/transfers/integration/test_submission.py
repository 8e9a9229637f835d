"""Submitting a transfer request (§95921(a)(1)(A), (a)(4), (b)): who may, with which fields, and the
registry's reservation. Every refusal is a 4xx with a stable code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.contracts.registry import ReserveInstruments

pytestmark = pytest.mark.integration


def _codes(response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    body = response.json()["error"]
    assert body["code"] == "transfer_request_invalid"
    return {p["field"]: p["code"] for p in body["details"]["problems"]}


async def test_a_stale_step_up_is_refused_with_401(world):
    seller, buyer = await world.party(), await world.party()
    body = world.request(seller, buyer.holding)
    r = await world.post(seller.primary, "/v1/transfers", body, stale=True)  # auth_time 15 minutes ago
    assert r.status_code == 401 and r.json()["error"]["code"] == "step_up_required"
    r = await world.post(seller.primary, "/v1/transfers", body, mfa=False)  # no one-time code at all
    assert r.status_code == 401 and r.json()["error"]["code"] == "step_up_required"
    async with world.service.client() as anonymous:
        r = await anonymous.post("/v1/transfers", json=body)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    assert world.registry.sent(ReserveInstruments, account_number=seller.holding) == []


async def test_only_a_primary_or_alternate_of_the_source_may_submit(world):
    seller, buyer = await world.party(), await world.party()
    body = world.request(seller, buyer.holding)
    for who in (seller.viewer, buyer.primary, world.uid("ind")):
        r = await world.post(who, "/v1/transfers", body)
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_an_account_representative"
    r = await world.post(seller.alternates[1], "/v1/transfers", body)  # §95921(a)(1)(A): an alternate may
    assert r.status_code == 201


async def test_unknown_accounts_are_a_clear_422(world):
    seller = await world.party()
    r = await world.post(seller.primary, "/v1/transfers", world.request(seller, "NO-SUCH-ACCOUNT"))
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "account_unknown"
    assert r.json()["error"]["details"]["field"] == "destination_account"


async def test_malformed_requests_are_422_with_every_field_named_never_500(world):
    seller, buyer = await world.party(), await world.party()
    body = world.request(seller, buyer.holding, quantity=-5)
    body["instrument"] = {"instrument_type": "bond", "vintage": 1999}
    body["transaction"] = {"transaction_type": "swap", "price": "abc", "zero_price_reason": "Z",
                           "agreement_date": "yesterday"}
    body["colour"] = "blue"
    r = await world.post(seller.primary, "/v1/transfers", body)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_input"
    fields = {p["field"] for p in error["details"]["problems"]}
    assert {"quantity", "instrument.instrument_type", "instrument.vintage", "transaction.transaction_type",
            "transaction.price", "transaction.zero_price_reason", "transaction.agreement_date", "colour"} <= fields
    async with world.client(seller.primary) as c:
        r = await c.post("/v1/transfers", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


async def test_spot_transfer_fields_are_required(world):
    seller, buyer = await world.party(), await world.party()
    body = world.request(seller, buyer.holding, transaction={"transaction_type": "otc_spot"}, vintage=None)
    codes = _codes(await world.post(seller.primary, "/v1/transfers", body))
    assert codes == {
        "instrument.vintage": "required",  # (b)(1)(C)
        "agreement_date": "required",  # (b)(3)(A)
        "expected_termination_date": "required",  # (b)(3)(B)
        "price": "required",  # (b)(3)(C)
        "agreement_kind": "agreement_required",  # (a)(4)
        "agreement_reference": "agreement_required",
    }


async def test_spot_agreements_older_than_three_days_are_forwards(world):
    seller, buyer = await world.party(), await world.party()
    old = (world.clock.now() - timedelta(days=5)).date().isoformat()
    body = world.request(seller, buyer.holding, transaction=world.spot(agreement_date=old))
    assert _codes(await world.post(seller.primary, "/v1/transfers", body)) == {
        "transaction_type": "not_spot_delivery"}  # §95921(b)(2)(A)


async def test_forward_transfer_fields_are_required(world):
    seller, buyer = await world.party(), await world.party()
    body = world.request(seller, buyer.holding, transaction=world.spot(
        transaction_type="otc_forward", pricing_method="cost_plus", price=None))
    codes = _codes(await world.post(seller.primary, "/v1/transfers", body))
    assert codes == {"further_transfers": "required", "other_products": "required", "cost_base": "required",
                     "margin": "required", "price": "required"}  # §95921(b)(4)(C), (D), (F)
    body["transaction"].update(further_transfers=True, other_products=False, cost_base="27.50", margin="1.25")
    r = await world.post(seller.primary, "/v1/transfers", body)
    assert r.status_code == 201, r.text
    assert r.json()["terms"]["price"] == "28.75"  # cost base plus margin


async def test_exchange_transfer_fields_are_required(world):
    seller, buyer = await world.party(), await world.party()
    body = world.request(seller, buyer.holding, transaction=world.spot(transaction_type="exchange", price=None))
    codes = _codes(await world.post(seller.primary, "/v1/transfers", body))
    assert codes == {"exchange": "required", "contract_code": "required", "close_of_trading_date": "required",
                     "price": "required"}  # §95921(b)(5)(A)-(D)


async def test_a_zero_price_needs_a_disclosed_reason_that_fits(world):
    seller, buyer = await world.party(), await world.party()
    zero = world.request(seller, buyer.holding, transaction=world.spot(price="0"))
    assert _codes(await world.post(seller.primary, "/v1/transfers", zero)) == {
        "zero_price_reason": "zero_price_requires_reason"}  # §95921(b)(6)
    zero["transaction"]["zero_price_reason"] = "A"
    assert _codes(await world.post(seller.primary, "/v1/transfers", zero)) == {
        "zero_price_reason": "not_direct_associates"}  # §95921(b)(6)(A)
    zero["transaction"]["zero_price_reason"] = "B"
    assert _codes(await world.post(seller.primary, "/v1/transfers", zero)) == {
        "zero_price_reason": "not_holding_to_compliance"}  # §95921(b)(6)(B)
    zero["transaction"]["zero_price_reason"] = "E"  # tolling agreement: disclosed, accepted
    assert (await world.post(seller.primary, "/v1/transfers", zero)).status_code == 201
    priced = world.request(seller, buyer.holding, transaction=world.spot(zero_price_reason="C"))
    assert _codes(await world.post(seller.primary, "/v1/transfers", priced)) == {
        "zero_price_reason": "reason_without_zero_price"}
    cents = world.request(seller, buyer.holding, transaction=world.spot(price="12.345"))
    assert _codes(await world.post(seller.primary, "/v1/transfers", cents)) == {"price": "too_many_decimals"}


async def test_direct_corporate_associates_need_no_transaction_agreement(world):
    parent = await world.party()
    subsidiary = await world.party(associates=(parent.entity_id,))
    stranger = await world.party()
    body = world.request(parent, subsidiary.holding, transaction=world.spot(
        price="0", zero_price_reason="A", agreement=None))  # §95921(a)(4), (b)(6)(A)
    r = await world.post(parent.primary, "/v1/transfers", body)
    assert r.status_code == 201, r.text
    body = world.request(parent, stranger.holding, transaction=world.spot(agreement=None))
    assert _codes(await world.post(parent.primary, "/v1/transfers", body)) == {
        "agreement_kind": "agreement_required", "agreement_reference": "agreement_required"}


async def test_accounts_and_programs_that_cannot_trade_are_refused(world):
    seller = await world.party(compliance=True)
    other = await world.party(compliance=True)
    nova_scotia = await world.party(jurisdiction="NS")
    quebec = await world.party(jurisdiction="QC")
    r = await world.post(seller.primary, "/v1/transfers", world.request(seller, nova_scotia.holding))
    assert _codes(r) == {"destination_account": "jurisdictions_not_linked",  # Nova Scotia stands alone
                         "instrument.jurisdiction": "jurisdictions_not_linked"}
    r = await world.post(seller.primary, "/v1/transfers", world.request(seller, other.compliance))
    assert _codes(r) == {"destination_account": "foreign_compliance_account"}
    body = world.request(seller, seller.holding)
    body["source_account"] = seller.compliance
    codes = _codes(await world.post(seller.primary, "/v1/transfers", body))
    assert codes["source_account"] == "compliance_account_is_one_way"
    r = await world.post(seller.primary, "/v1/transfers", world.request(seller, quebec.holding))
    assert r.status_code == 201  # California and Québec are linked


async def test_restricted_entities_cannot_transfer(world):
    seller, buyer = await world.party(), await world.party()
    await world.entity(entity_id=seller.entity_id, restricted=True)  # §95921(g)(4)
    await world.synced()
    r = await world.post(seller.primary, "/v1/transfers", world.request(seller, buyer.holding))
    assert r.status_code == 409 and r.json()["error"]["code"] == "transfers_restricted"
    await world.entity(entity_id=seller.entity_id)
    await world.entity(entity_id=buyer.entity_id, status="suspended")  # §95921(g)(3)(A): may not receive
    await world.synced()
    r = await world.post(seller.primary, "/v1/transfers", world.request(seller, buyer.holding))
    assert r.status_code == 409 and r.json()["error"]["code"] == "transfers_restricted"


async def test_the_registry_refusing_the_reservation_refuses_the_transfer(world):
    seller, buyer = await world.party(), await world.party()
    world.registry.refuse_reservation[seller.holding] = ("insufficient_holdings", "only 10 allowances of 2026")
    created = await world.submit(seller, buyer.holding)
    refused = await world.wait_status(created["transfer_id"], "refused")
    assert refused["outcome"] == {"code": "insufficient_holdings", "message": "only 10 allowances of 2026"}
    kinds = [n["kind"] for n in await world.notifications(seller.primary, transfer_id=created["transfer_id"])]
    assert "transfer.refused" in kinds
    r = await world.post(seller.alternates[0], f"/v1/transfers/{created['transfer_id']}/confirm")
    assert r.status_code == 409


async def test_out_of_range_values_are_refused_with_4xx_never_500(world):
    seller, buyer = await world.party(), await world.party()
    huge = world.request(seller, buyer.holding, transaction=world.spot(price="1" * 20))
    r = await world.post(seller.primary, "/v1/transfers", huge)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    long_account = world.request(seller, "X" * 500)
    assert (await world.post(seller.primary, "/v1/transfers", long_account)).status_code == 422
    r = await world.get(seller.primary, "/v1/notifications", since="2026-11-23T10:00:00")  # no time zone
    assert r.status_code == 422
    async with world.service.client() as anonymous:
        r = await anonymous.get("/v1/public/transfer-report", params={"from": "9999-12-01", "to": "9999-12-31"})
        assert r.status_code == 422
        r = await anonymous.get("/v1/public/transfer-report", params={"from": "not-a-date"})
        assert r.status_code == 422
    r = await world.post(seller.primary, "/v1/transfers/tr_nope/confirm")
    assert r.status_code == 404 and r.json()["error"]["code"] == "transfer_not_found"
    r = await world.post(seller.primary, "/v1/transfers/tr_nope/confirm", {"expected_version": "x"})
    assert r.status_code == 422
