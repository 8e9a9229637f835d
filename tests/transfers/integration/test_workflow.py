"""The §95921(a) workflow end to end over real HTTP and the real bus (the registry simulated on the bus)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from shared.audit import verify_chain
from shared.contracts.registry import ExecuteMove, ReleaseReservation, ReservationReleased, ReserveInstruments
from shared.testing.server import eventually

pytestmark = pytest.mark.integration


async def test_submit_confirm_accept_approve_records_the_move(world):
    seller, buyer = await world.party(), await world.party()
    created = await world.submit(seller, buyer.holding)
    assert created["status"] == "reserving"
    tid = created["transfer_id"]

    proposed = await world.wait_status(tid, "proposed")  # the registry reserved the instruments
    [reserve] = world.registry.sent(ReserveInstruments, request_id=tid)
    assert (reserve.account_number, reserve.quantity, reserve.instrument.vintage) == (seller.holding, 1000, 2026)
    assert proposed["confirm_by"] < proposed["accept_by"]

    r = await world.post(seller.alternates[0], f"/v1/transfers/{tid}/confirm")  # §95921(a)(1)(B)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "awaiting_acceptance"
    r = await world.post(buyer.alternates[1], f"/v1/transfers/{tid}/accept")  # §95921(a)(1)(C)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "awaiting_approval"

    r = await world.approve(tid)  # §95921(a)(1)(D)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "recording"
    done = await world.wait_status(tid, "recorded")
    [move] = world.registry.sent(ExecuteMove, reference=tid)
    assert move.reservation_id == tid and move.check_holding_limit is True  # §95920(b)(4) checked by the registry
    assert (move.source_account, move.destination_account, move.quantity) == (seller.holding, buyer.holding, 1000)
    assert done["move_id"] and done["flags"] == []
    assert (done["submitted_by"], done["confirmed_by"], done["accepted_by"]) == (
        seller.primary, seller.alternates[0], buyer.alternates[1])

    # every party was told at every step (item 7)
    kinds = {n["kind"] for n in await world.notifications(buyer.primary, transfer_id=tid)}
    assert {"transfer.submitted", "transfer.proposed", "transfer.confirmed", "transfer.accepted",
            "transfer.approved", "transfer.recorded"} <= kinds
    assert {"transfer.recorded"} <= {n["kind"] for n in await world.notifications(seller.alternates[1])}

    # every state change audited, chain intact
    async with world.service.runtime.uow() as uow:
        table = uow.tables.audit_log
        actions = (await uow.session.execute(
            select(table.c.action).where(table.c.subject == tid).order_by(table.c.seq))).scalars().all()
        assert actions == ["transfer.submitted", "transfer.reserved", "transfer.confirmed", "transfer.accepted",
                           "transfer.approved", "transfer.recorded"]
        assert (await verify_chain(uow.session, table)).intact


async def test_two_racing_confirmations_exactly_one_wins(world):
    seller, buyer = await world.party(alternates=3), await world.party()
    t = await world.proposed(seller, buyer.holding)
    path = f"/v1/transfers/{t['transfer_id']}/confirm"
    first, second = await asyncio.gather(world.post(seller.alternates[0], path), world.post(seller.alternates[1], path))
    codes = sorted([first.status_code, second.status_code])
    assert codes == [200, 409], (first.text, second.text)
    loser = first if first.status_code == 409 else second
    assert loser.json()["error"]["code"] == "transfer_state_conflict"
    body = await world.transfer(t["transfer_id"])
    assert body["status"] == "awaiting_acceptance" and body["version"] == t["version"] + 1


async def test_stale_version_is_refused_with_409(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.proposed(seller, buyer.holding)
    r = await world.post(seller.alternates[0], f"/v1/transfers/{t['transfer_id']}/confirm",
                         {"expected_version": t["version"] - 1})
    assert r.status_code == 409 and r.json()["error"]["code"] == "concurrent_modification"


async def test_no_individual_performs_two_steps(world):
    both = world.uid("ind")  # a representative of both parties (e.g. a shared services officer)
    seller = await world.party()
    buyer = await world.party()
    await world.account(seller.entity_id, number=seller.holding, primary=seller.primary,
                        alternates=(*seller.alternates, both))
    await world.account(buyer.entity_id, number=buyer.holding, primary=buyer.primary, alternates=(both,))
    await world.synced()
    t = await world.proposed(seller, buyer.holding)
    tid = t["transfer_id"]
    r = await world.post(seller.primary, f"/v1/transfers/{tid}/confirm")  # the submitter again
    assert r.status_code == 403 and r.json()["error"]["code"] == "same_individual_twice"
    r = await world.post(buyer.primary, f"/v1/transfers/{tid}/confirm")  # not of the source entity
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_an_account_representative"
    r = await world.post(seller.viewer, f"/v1/transfers/{tid}/confirm")  # viewing agents never act
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_an_account_representative"
    assert (await world.post(both, f"/v1/transfers/{tid}/confirm")).status_code == 200
    r = await world.post(both, f"/v1/transfers/{tid}/accept")
    assert r.status_code == 403 and r.json()["error"]["code"] == "same_individual_twice"
    r = await world.post(seller.alternates[0], f"/v1/transfers/{tid}/accept")  # not of the destination
    assert r.status_code == 403
    assert (await world.post(buyer.primary, f"/v1/transfers/{tid}/accept")).status_code == 200


async def test_a_named_second_representative_is_the_only_one_who_may_confirm(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.proposed(seller, buyer.holding, second_representative=seller.alternates[1])
    r = await world.post(seller.alternates[0], f"/v1/transfers/{t['transfer_id']}/confirm")
    assert r.status_code == 403
    r = await world.post(seller.alternates[1], f"/v1/transfers/{t['transfer_id']}/confirm")
    assert r.status_code == 200


async def test_holding_to_own_compliance_account_needs_no_acceptance(world):
    entity = await world.party(compliance=True)
    transaction = world.spot(price="0", zero_price_reason="B", agreement=None)  # §95921(b)(6)(B), (a)(4)
    t = await world.proposed(entity, entity.compliance, transaction=transaction)
    assert t["requires_acceptance"] is False and t["accept_by"] is None  # §95921(a)(2)(B)
    r = await world.post(entity.alternates[0], f"/v1/transfers/{t['transfer_id']}/confirm")
    assert r.json()["status"] == "awaiting_approval"
    assert (await world.approve(t["transfer_id"])).status_code == 200
    await world.wait_status(t["transfer_id"], "recorded")


async def test_transfers_to_and_from_clearing_accounts_need_no_acceptance(world):
    clearing = await world.party(holding_type="exchange_clearing_holding", entity_type="clearing_organization")
    seller, buyer = await world.party(), await world.party()
    exchange = world.spot(transaction_type="exchange", exchange="ICE Futures US", contract_code="CAX26",
                          close_of_trading_date=world.clock.now().date().isoformat(), agreement_date=None,
                          expected_termination_date=None)
    into = await world.proposed(seller, clearing.holding, transaction=exchange)
    assert into["requires_acceptance"] is False  # §95921(d)(3)
    # §95921(h)(3): the clearing account holder need not give (b)(3), (b)(4), (b)(6) information
    out = await world.proposed(clearing, buyer.holding,
                               transaction={"transaction_type": "otc_spot", "agreement": {"kind": "written",
                                                                                          "reference": "CH-1"}})
    assert out["requires_acceptance"] is False


async def test_executive_officer_determination_is_for_its_own_jurisdiction(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.to_approval(seller, buyer)
    r = await world.approve(t["transfer_id"], jurisdiction="QC")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_executive_officer"
    officer, roles = world.eo()
    r = await world.post(officer, f"/v1/transfers/{t['transfer_id']}/determination", {"decision": "deny"}, roles)
    assert r.status_code == 422  # a denial needs a reason
    r = await world.post(officer, f"/v1/transfers/{t['transfer_id']}/determination",
                         {"decision": "deny", "reason": "price not consistent with the agreement"}, roles)
    assert r.status_code == 200 and r.json()["status"] == "denied"
    assert r.json()["outcome"]["code"] == "denied_by_executive_officer"

    await eventually(lambda: world.registry.sent(ReleaseReservation, reservation_id=t["transfer_id"]))


async def test_holding_limit_refusal_by_the_registry_denies_the_transfer(world):
    seller, buyer = await world.party(), await world.party()
    world.registry.refuse_move[buyer.holding] = ("holding_limit_exceeded", "over the §95920 holding limit")
    t = await world.to_approval(seller, buyer)
    assert (await world.approve(t["transfer_id"])).status_code == 200
    denied = await world.wait_status(t["transfer_id"], "denied")
    assert denied["outcome"]["code"] == "holding_limit_exceeded"  # §95920(b)(4)
    kinds = {n["kind"] for n in await world.notifications(buyer.primary, transfer_id=t["transfer_id"])}
    assert "transfer.denied" in kinds


async def test_precheck_refuses_approval_when_an_entity_became_restricted(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.to_approval(seller, buyer)
    await world.entity(entity_id=buyer.entity_id, restricted=True)  # §95921(g)(4)
    await world.synced()
    r = await world.approve(t["transfer_id"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "transfers_restricted"
    assert (await world.transfer(t["transfer_id"]))["status"] == "awaiting_approval"


async def test_withdrawal_releases_the_reservation(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.proposed(seller, buyer.holding)
    r = await world.post(buyer.primary, f"/v1/transfers/{t['transfer_id']}/withdraw")
    assert r.status_code == 403
    r = await world.post(seller.alternates[1], f"/v1/transfers/{t['transfer_id']}/withdraw")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = await world.post(seller.alternates[0], f"/v1/transfers/{t['transfer_id']}/confirm")
    assert r.status_code == 409

    await eventually(lambda: world.registry.sent(ReleaseReservation, reservation_id=t["transfer_id"]))


async def test_executive_officer_transfer_is_recorded_without_confirmations(world):
    revoked = await world.party()
    auction = await world.account(None, account_type="auction_holding", owner_kind="jurisdiction",
                                  number=world.uid("AUC"))
    await world.synced()
    officer, roles = world.eo()
    body = {"source_account": revoked.holding, "destination_account": auction,
            "instrument": {"instrument_type": "allowance", "vintage": 2025}, "quantity": 40,
            "reason": "§95921(g)(3)(B): remainder of a revoked entity to the auction holding account"}
    r = await world.post(revoked.primary, "/v1/transfers/executive", body)
    assert r.status_code == 403
    r = await world.post(officer, "/v1/transfers/executive", body, roles)
    assert r.status_code == 201, r.text
    assert r.json()["origin"] == "executive_officer" and r.json()["confirm_by"] is None
    await world.wait_status(r.json()["transfer_id"], "recorded")


async def test_transfers_are_invisible_to_strangers_and_listed_for_parties(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.proposed(seller, buyer.holding)
    r = await world.get(world.uid("ind"), f"/v1/transfers/{t['transfer_id']}")
    assert r.status_code == 404
    r = await world.get(seller.viewer, f"/v1/transfers/{t['transfer_id']}")
    assert r.status_code == 200
    r = await world.get(buyer.alternates[0], "/v1/transfers")
    assert [x["transfer_id"] for x in r.json()] == [t["transfer_id"]]
    assert await world.notifications(world.uid("ind")) == []


async def test_a_reservation_the_registry_takes_back_ends_the_request(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.proposed(seller, buyer.holding)
    # e.g. §95921(g)(3)(B): the registry consigned a revoked entity's holdings, reservations included
    await world.registry.publish(ReservationReleased(request_id=t["transfer_id"], reservation_id=t["transfer_id"],
                                                     reason="revocation_consignment"))
    refused = await world.wait_status(t["transfer_id"], "refused")
    assert refused["outcome"]["code"] == "reservation_released"


async def test_public_report_gives_prices_and_quantities_without_the_parties(world):
    seller, buyer = await world.party(), await world.party()
    parent = await world.party()
    child = await world.party(associates=(parent.entity_id,))
    await world.recorded(seller, buyer, quantity=1000, transaction=world.spot(price="30.00"))
    await world.recorded(seller, buyer, quantity=3000, transaction=world.spot(price="28.00"))
    await world.recorded(parent, child, quantity=500, vintage=2025,
                         transaction=world.spot(price="0", zero_price_reason="A", agreement=None))
    async with world.service.client() as anonymous:  # §95921(e)(1): public, no authentication
        r = await anonymous.get("/v1/public/transfer-report")
    assert r.status_code == 200, r.text
    lines = {(x["vintage"], x["transaction_type"]): x for x in r.json()["lines"]}
    spot_2026 = lines[(2026, "otc_spot")]
    assert spot_2026["transfers"] >= 2 and spot_2026["currency"] == "USD"
    assert spot_2026["min_price"] <= "28.00" and spot_2026["max_price"] >= "30.00"
    assert lines[(2025, "otc_spot")]["zero_price_transfers"] >= 1
    text = r.text
    for secret in (seller.holding, buyer.holding, seller.entity_id, seller.primary, "MSA-2026-117"):
        assert secret not in text  # §95921(e)(1)-(2): never the parties or their agreement
    async with world.service.client() as anonymous:
        r = await anonymous.get("/v1/public/transfer-report", params={"from": "2026-12-01", "to": "2026-01-01"})
    assert r.status_code == 422


async def test_notifications_are_stored_per_individual_and_published_on_the_bus(world):
    seller, buyer = await world.party(), await world.party()
    t = await world.proposed(seller, buyer.holding)
    mine = await world.notifications(seller.alternates[0], transfer_id=t["transfer_id"])
    assert {n["recipient"] for n in mine} == {seller.alternates[0]}
    assert await world.notifications(buyer.viewer, transfer_id=t["transfer_id"]) == []  # viewers do not act
    async with world.service.client() as anonymous:
        assert (await anonymous.get("/v1/notifications")).status_code == 401

    async def published() -> bool:
        async with world.service.runtime.uow() as uow:
            outbox = uow.tables.outbox
            rows = (await uow.session.execute(select(outbox.c.published_at).where(
                outbox.c.event_type == "transfers.NotificationIssued",
                outbox.c.message_key == t["transfer_id"]))).scalars().all()
        return len(rows) >= 2 and all(p is not None for p in rows)

    await eventually(published)
