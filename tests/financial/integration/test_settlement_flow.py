"""From the notice to distributed proceeds, over HTTP and the real bus (§95912(h), (i), (j)).

Four bidders (three in USD, one in CAD) post guarantees in every form; the auction is certified;
two winners pay by wire, one (paying CAD) a little too much; the third never pays and its
guarantee is drawn when the seven days are over (ManualClock); a consignor is paid its proceeds,
Québec its share in CAD, the Greenhouse Gas Reduction Fund the rest; the registry (simulated on the
bus) delivers the allowances, once to a compliance account over the holding limit; the
reconciliation accounts for every cent.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from shared.contracts.auction import AuctionCertified, Award, ConsignorSale, Money
from shared.contracts.financial import GuaranteeAccepted, WinnerSettled
from shared.contracts.registry import ExecuteMove, MoveRecorded, MoveRefused
from shared.testing.server import eventually

pytestmark = pytest.mark.integration

CENT = Decimal("0.01")
RATE = Decimal("1.3571")  # CAD per USD
CURRENT, ADVANCE = Decimal("30.17"), Decimal("29.03")


def cad(usd: Decimal) -> Decimal:
    return (usd * RATE).quantize(CENT, ROUND_HALF_UP)


def usd(cad_amount: Decimal) -> Decimal:
    return (cad_amount / RATE).quantize(CENT, ROUND_HALF_UP)


async def test_auction_to_settlement_with_a_default_a_consignor_and_exact_reconciliation(world: Any):
    fsa, aa = world.fsa, world.aa
    auction = await world.auction(days_ahead=20)
    a_id, auction_date = auction["auction_id"], auction["auction_date"]
    expires = auction_date + timedelta(days=30)
    payer, defaulter, loser = [await world.entity("CA") for _ in range(3)]
    quebec = await world.entity("QC", viewer=True)
    for party, currency in ((payer, "USD"), (defaulter, "USD"), (loser, "USD"), (quebec, "CAD")):
        await world.approve(a_id, party, currency)

    # §95912(h): representatives lodge instruments; the FSA records cash it received by wire
    g_payer = await world.submit(payer["primary"], a_id, world.instrument(payer, "400000.00", "USD", expires))
    g_cash = await world.submit(fsa, a_id, world.instrument(defaulter, "100000.00", "USD", form="cash"))
    g_loc = await world.submit(defaulter["alternate"], a_id, world.instrument(defaulter, "80000.00", "USD", expires))
    g_bond = await world.submit(defaulter["primary"], a_id,
                                world.instrument(defaulter, "20000.00", "USD", expires, form="bond"))
    g_qc = await world.submit(quebec["primary"], a_id, world.instrument(
        quebec, "400000.00", "CAD", auction_date + timedelta(days=150), form="bond"))
    g_loser = await world.submit(fsa, a_id, world.instrument(loser, "50000.00", "USD", form="cash"))
    for g in (g_payer, g_cash, g_loc, g_bond, g_loser):
        assert (await world.accepted(g["id"], "CA"))["status"] == "accepted"
    await world.accepted(g_qc["id"], "QC")
    kept = await world.ok(fsa, "POST", f"/v1/guarantees/{g_qc['id']}/multi-auction-agreement")  # §95912(i)(3)(G)
    assert kept["multi_auction"] is True

    # §95912(h)(8): the auction service learns each entity's accepted value
    values = await world.bus.wait_for(GuaranteeAccepted, count=3, auction_id=a_id, entity_id=defaulter["entity_id"])
    assert [v.accepted_value.amount for v in values] == ["100000.00", "180000.00", "200000.00"]
    (qc_value,) = await world.bus.wait_for(GuaranteeAccepted, auction_id=a_id, entity_id=quebec["entity_id"])
    assert (qc_value.accepted_value.amount, qc_value.accepted_value.currency) == ("400000.00", "CAD")

    # §95912(f): the amounts only for the FSA, the auction administrator and the entity's representatives
    assert (await world.call(payer["primary"], "GET", f"/v1/guarantees/{g_qc['id']}")).status_code == 404
    assert (await world.ok(quebec["viewer"], "GET", f"/v1/guarantees/{g_qc['id']}"))["amount"] == "400000.00"
    assert (await world.ok(aa, "GET", f"/v1/guarantees/{g_qc['id']}"))["amount"] == "400000.00"
    seen_by_eo = await world.ok(world.eo_qc, "GET", f"/v1/guarantees/{g_qc['id']}")
    assert seen_by_eo["amounts_withheld"] is True and seen_by_eo["amount"] is None
    own = await world.ok(payer["alternate"], "GET", f"/v1/auctions/{a_id}/guarantees")
    assert [g["id"] for g in own] == [g_payer["id"]]

    # §95912(i): the executive officer certified the results the day after the auction
    world.clock.set(datetime.combine(auction_date + timedelta(days=1), time(20), UTC))
    due = world.clock.now().date() + timedelta(days=7)
    consignor = "ent_util_" + a_id[-6:]
    costs = {  # settlement price × quantity, pool by pool; the CAD bidder's converted at the auction rate
        "payer": CURRENT * 8_000 + ADVANCE * 2_000,
        "defaulter": CURRENT * 5_000,
        "quebec": cad(CURRENT * 9_000) + cad(ADVANCE * 1_000),
    }
    assert costs == {"payer": Decimal("299420.00"), "defaulter": Decimal("150850.00"),
                     "quebec": Decimal("407889.97")}
    await world.bus.publish(AuctionCertified(
        auction_id=a_id, certified_at=world.clock.now(), current_settlement_price_usd=str(CURRENT),
        advance_settlement_price_usd=str(ADVANCE), exchange_rate_cad_per_usd=str(RATE), payment_due_on=due,
        awards=[
            Award(entity_id=payer["entity_id"], current_quantity=8_000, advance_quantity=2_000, currency="USD",
                  cost=Money(amount=str(costs["payer"]), currency="USD"), destination_account=payer["holding"]),
            Award(entity_id=defaulter["entity_id"], current_quantity=5_000, advance_quantity=0, currency="USD",
                  cost=Money(amount=str(costs["defaulter"]), currency="USD"),
                  destination_account=defaulter["holding"]),
            Award(entity_id=quebec["entity_id"], current_quantity=9_000, advance_quantity=1_000, currency="CAD",
                  cost=Money(amount=str(costs["quebec"]), currency="CAD"), destination_account=quebec["holding"]),
        ],
        consignor_sales=[ConsignorSale(entity_id=consignor, quantity=4_000,
                                       proceeds=Money(amount=str(CURRENT * 4_000), currency="USD"))],
        sold_by_jurisdiction={"CA": 17_000, "QC": 8_000}, sold_by_jurisdiction_advance={"CA": 2_000, "QC": 1_000},
        auction_holding_accounts={"CA": f"CA-AH-{a_id}", "QC": f"QC-AH-{a_id}"},
    ))

    async def invoices() -> dict[str, dict[str, Any]] | None:
        r = await world.call(fsa, "GET", f"/v1/auctions/{a_id}/invoices")
        found = {i["entity_id"]: i for i in r.json()} if r.status_code == 200 else {}
        return found if len(found) == 3 else None

    inv = await eventually(invoices, timeout=20)
    assert inv[payer["entity_id"]]["amount"] == "299420.00"
    assert (inv[quebec["entity_id"]]["amount"], inv[quebec["entity_id"]]["currency"]) == ("407889.97", "CAD")
    assert inv[defaulter["entity_id"]]["due_on"] == due.isoformat()
    # the bidder who won nothing has its unused cash back (§95912(i)(3)(E))
    back = await world.ok(loser["primary"], "GET", f"/v1/guarantees/{g_loser['id']}")
    assert (back["status"], back["returned"], back["held"]) == ("closed", "50000.00", "0.00")

    # §95912(i)(3)(A): the FSA records the wires received
    pay = f"/v1/invoices/{inv[payer['entity_id']]['id']}/payments"
    wrong = await world.call(fsa, "POST", pay, {"amount": "299420.00", "currency": "CAD", "wire_reference": "W-0"})
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (422, "currency_mismatch")
    nothing = await world.call(fsa, "POST", pay, {"amount": "0.00", "currency": "USD", "wire_reference": "W-00"})
    assert (nothing.status_code, nothing.json()["error"]["code"]) == (422, "invalid_amount")
    paid = await world.ok(fsa, "POST", pay, {"amount": "299420.00", "currency": "USD", "wire_reference": f"W1{a_id}"})
    assert (paid["status"], paid["outstanding"]) == ("paid", "0.00")
    again = await world.call(fsa, "POST", pay, {"amount": "299420.00", "currency": "USD",
                                                "wire_reference": f"W1{a_id}"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "duplicate_payment")
    qc_pay = f"/v1/invoices/{inv[quebec['entity_id']]['id']}/payments"
    part = await world.ok(fsa, "POST", qc_pay, {"amount": "200000.00", "currency": "CAD",
                                                "wire_reference": f"W2{a_id}"})
    assert (part["status"], part["outstanding"]) == ("open", "207889.97")
    rest = await world.ok(fsa, "POST", qc_pay, {"amount": "207899.97", "currency": "CAD",
                                                "wire_reference": f"W3{a_id}"})
    assert (rest["status"], rest["overpaid"]) == ("paid", "10.00")
    assert (await world.ok(payer["primary"], "GET", f"/v1/guarantees/{g_payer['id']}"))["status"] == "closed"
    assert (await world.ok(fsa, "GET", f"/v1/guarantees/{g_qc['id']}"))["status"] == "kept"  # §95912(i)(3)(G)
    await world.bus.wait_for(WinnerSettled, auction_id=a_id, entity_id=quebec["entity_id"])
    assert (await world.ok(fsa, "GET", f"/v1/auctions/{a_id}/settlement"))["status"] == "certified"

    # §95912(i)(3)(B): seven days pass unpaid; the deadline job draws cash, then the letter of credit
    world.clock.advance(timedelta(days=8))
    (settled,) = await world.bus.wait_for(WinnerSettled, auction_id=a_id, entity_id=defaulter["entity_id"])
    assert settled.guarantee_drawn.amount == "150850.00" and settled.paid.amount == "150850.00"
    forms = {g["form"]: g for g in await world.ok(fsa, "GET", f"/v1/auctions/{a_id}/guarantees")
             if g["entity_id"] == defaulter["entity_id"]}
    assert (forms["cash"]["drawn"], forms["cash"]["returned"]) == ("100000.00", "0.00")
    assert (forms["letter_of_credit"]["drawn"], forms["letter_of_credit"]["returned"]) == ("50850.00", "29150.00")
    assert (forms["bond"]["drawn"], forms["bond"]["returned"]) == ("0.00", "20000.00")
    overview = await world.ok(fsa, "GET", f"/v1/auctions/{a_id}/settlement")
    assert overview["status"] == "distributed" and overview["problems"] == []

    # §95912(i)(4): the registry moves the allowances; one move is over the holding limit
    async def moves_total() -> list[ExecuteMove] | None:
        moves = world.bus.events(ExecuteMove, reference=a_id)
        return moves if sum(m.quantity for m in moves) == 25_000 else None

    moves = await eventually(moves_total, timeout=20)
    assert {m.source_account for m in moves} == {f"CA-AH-{a_id}", f"QC-AH-{a_id}"}
    assert sum(m.quantity for m in moves if m.instrument.jurisdiction == "QC") == 8_000
    assert sum(m.quantity for m in moves if m.instrument.vintage == auction_date.year + 3) == 3_000
    refused = next(m for m in moves if m.destination_account == payer["holding"])
    for m in moves:
        if m is refused:
            await world.bus.publish(MoveRefused(request_id=m.request_id, code="holding_limit_exceeded",
                                                message="over the limit"), producer="registry")
        else:
            await world.bus.publish(_recorded(m, world.clock.now()), producer="registry")
    (retry,) = await world.bus.wait_for(ExecuteMove, destination_account=payer["compliance"])
    assert retry.quantity == refused.quantity
    await world.bus.publish(_recorded(retry, world.clock.now()), producer="registry")

    async def delivered() -> bool:
        statuses = []
        for entity in (payer, defaulter, quebec):
            body = await world.ok(fsa, "GET", f"/v1/invoices/{inv[entity['entity_id']]['id']}")
            statuses += [d["status"] for d in body["deliveries"]]
        return sorted(set(statuses)) == ["recorded", "retried"] and statuses.count("retried") == 1

    await eventually(delivered, timeout=20)

    # every cent: guarantees received = drawn + returned + held; paid out = cash + drawn (± conversions)
    surplus_cad = costs["quebec"] - cad(CURRENT * 7_000 + ADVANCE * 1_000)  # Québec sold 7,000 + 1,000
    assert surplus_cad == Decimal("81887.41") and usd(surplus_cad) == Decimal("60340.00")
    report = await world.ok(fsa, "GET", "/v1/reconciliation")
    assert report["balanced"] is True
    assert report["subledger"]["USD"]["agrees"] and report["subledger"]["CAD"]["agrees"]
    usd_r, cad_r = report["currencies"]["USD"], report["currencies"]["CAD"]
    assert usd_r["guarantees"] | {"balanced": None} == {
        "received": "650000.00", "drawn": "150850.00", "returned": "499150.00", "held": "0.00",
        "in_custody": "0.00", "balanced": None}
    assert cad_r["guarantees"]["received"] == cad_r["guarantees"]["held"] == "400000.00"
    assert usd_r["proceeds"] == {
        "cash_received": "299420.00", "guarantees_drawn": "150850.00", "converted_in": "60340.00",
        "converted_out": "0.00", "paid_out_total": "510610.00", "undistributed": "0.00", "balanced": True,
        "paid_out": {"consignor_proceeds": "120680.00", "ggrf_proceeds": "389930.00"},
    }
    assert cad_r["proceeds"] == {
        "cash_received": "407889.97", "guarantees_drawn": "0.00", "converted_in": "0.00",
        "converted_out": "81887.41", "paid_out_total": "326002.56", "undistributed": "0.00", "balanced": True,
        "paid_out": {"qc_proceeds": "326002.56"},
    }
    assert cad_r["refunds"] == {"overpayments_received": "10.00", "paid": "10.00", "outstanding": "0.00"}
    assert Decimal(usd_r["proceeds"]["paid_out_total"]) == Decimal("299420.00") + Decimal("150850.00") + usd(
        surplus_cad)
    balances = {(b["currency"], b["account"]): b["balance"] for b in report["accounts"]}
    assert balances[("USD", f"consignor_proceeds:{consignor}")] == "120680.00"
    assert balances[("CAD", f"guarantees_held:{quebec['entity_id']}")] == "-400000.00"
    staff_view = await world.ok(world.eo_ca, "GET", "/v1/reconciliation", auction_id=a_id)
    assert staff_view["accounts"] is None and staff_view["balanced"] is True

    # §95912(i)(3)(G): the kept bond is lodged for the next auction and accepted again
    nxt = await world.auction(days_ahead=60)
    await world.approve(nxt["auction_id"], quebec, "CAD")

    async def carried() -> dict[str, Any] | None:
        r = await world.call(fsa, "POST", f"/v1/guarantees/{g_qc['id']}/carry-over", {"auction_id": nxt["auction_id"]})
        if r.status_code == 409 and r.json()["error"]["code"] == "bidder_not_approved":
            return None
        assert r.status_code == 200, r.text
        return dict(r.json())

    moved = await eventually(carried, timeout=20)
    assert (moved["auction_id"], moved["status"], moved["held"]) == (nxt["auction_id"], "conforming", "400000.00")
    await world.ok(world.eo_qc, "POST", f"/v1/guarantees/{g_qc['id']}/decision", {"accept": True})
    (value,) = await world.bus.wait_for(GuaranteeAccepted, auction_id=nxt["auction_id"])
    assert value.accepted_value.amount == "400000.00"


def _recorded(move: ExecuteMove, at: datetime) -> MoveRecorded:
    return MoveRecorded(request_id=move.request_id, move_id=f"mv-{move.request_id[-8:]}",
                        source_account=move.source_account, destination_account=move.destination_account,
                        quantity=move.quantity, serials=[], reason=move.reason, reference=move.reference,
                        recorded_at=at)
