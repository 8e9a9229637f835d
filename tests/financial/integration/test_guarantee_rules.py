"""Refusals over HTTP with stable codes, never a 500: §95912(h), (h)(8), (j)(3)(D), confidentiality, ledger guards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared.contracts.auction import AuctionCancelled, BiddingWindowRescheduled
from shared.contracts.financial import GuaranteeAccepted
from shared.testing.server import eventually

pytestmark = pytest.mark.integration


async def _auction_with(world: Any, *parties: tuple[dict[str, str], str], days_ahead: int = 20) -> tuple[str, Any]:
    auction = await world.auction(days_ahead=days_ahead)
    for party, currency in parties:
        await world.approve(auction["auction_id"], party, currency)
    return auction["auction_id"], auction["auction_date"]


def _terms(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "entity_id"}


async def test_refuses_guarantees_that_section_95912_h_does_not_allow(world: Any):
    ca, qc = await world.entity("CA", viewer=True), await world.entity("QC")
    a_id, day = await _auction_with(world, (ca, "USD"), (qc, "CAD"))
    ok = day + timedelta(days=26)
    await world.submit(ca["primary"], a_id, world.instrument(ca, "1000.00", "USD", ok))
    await world.submit(qc["primary"], a_id, world.instrument(qc, "1000.00", "CAD", ok))
    refusals = [
        (ca, world.instrument(ca, "1000.00", "CAD", ok), 422, "guarantee_currency_not_allowed"),  # (h)(2)
        (qc, world.instrument(qc, "1000.00", "USD", ok), 422, "guarantee_currency_not_allowed"),  # bids in CAD
        (ca, world.instrument(ca, "1000.00", "USD", day + timedelta(days=25)), 422, "guarantee_expires_too_soon"),
        (ca, world.instrument(ca, "1000.00", "USD"), 422, "guarantee_expiry_required"),  # (h)(7)
        (ca, world.instrument(ca, "10.005", "USD", ok), 422, "invalid_input"),
        (ca, world.instrument(ca, "0", "USD", ok), 422, "invalid_amount"),
        (ca, world.instrument(ca, "1000.00", "USD", ok) | {"amount": 1000.5}, 422, "invalid_input"),  # never float
        (ca, world.instrument(ca, "1000.00", "USD", ok) | {"form": "gold"}, 422, "invalid_input"),
        (ca, world.instrument(ca, "1000.00", "USD", ok) | {"extra": 1}, 422, "invalid_input"),
    ]
    for party, body, status, code in refusals:
        r = await world.call(party["primary"], "POST", f"/v1/auctions/{a_id}/guarantees", body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), body

    body = world.instrument(ca, "1000.00", "USD", ok)
    for who, status, code in (
        (ca["viewer"], 403, "not_a_representative"),  # viewing agents see but never act (§95832)
        (qc["primary"], 403, "not_a_representative"),
        (None, 401, "unauthenticated"),
    ):
        r = await world.call(who, "POST", f"/v1/auctions/{a_id}/guarantees", body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code)
    r = await world.call(world.fsa, "POST", "/v1/auctions/auc_nope/guarantees", body)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "auction_not_found")
    stranger = await world.entity("CA")
    r = await world.call(world.fsa, "POST", f"/v1/auctions/{a_id}/guarantees",
                         world.instrument(stranger, "5.00", "USD", ok))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "bidder_not_approved")

    late_id, late_day = await _auction_with(world, (ca, "USD"), days_ahead=11)  # §95912(h): 12 days before

    async def refused_late() -> bool:
        r = await world.call(ca["primary"], "POST", f"/v1/auctions/{late_id}/guarantees",
                             world.instrument(ca, "1000.00", "USD", late_day + timedelta(days=30)))
        return r.status_code == 409 and r.json()["error"]["code"] == "guarantee_deadline_passed"

    await eventually(refused_late, timeout=20)


async def test_the_fsa_evaluates_and_the_bidders_executive_officer_accepts_never_one_person(world: Any):
    ca = await world.entity("CA")
    a_id, day = await _auction_with(world, (ca, "USD"))
    g = await world.submit(ca["primary"], a_id, world.instrument(ca, "2500.00", "USD", day + timedelta(days=40)))
    path = f"/v1/guarantees/{g['id']}"

    r = await world.call(world.eo_ca, "POST", f"{path}/evaluation", {"conforming": True})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
    stale = world.issuer.mint(world.fsa[0], roles=world.fsa[1], auth_time=world.clock.now().timestamp() - 900)
    async with world.service.client(stale) as client:
        r = await client.post(f"{path}/evaluation", json={"conforming": True})
    assert (r.status_code, r.json()["error"]["code"]) == (401, "step_up_required")

    both = ("fsa_eo_1", ("financial_services_administrator:CA", "executive_officer:CA"))
    await world.ok(both, "POST", f"{path}/evaluation", {"conforming": True})
    r = await world.call(both, "POST", f"{path}/decision", {"accept": True})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "same_individual")
    r = await world.call(world.eo_qc, "POST", f"{path}/decision", {"accept": True})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
    declined = await world.ok(world.eo_ca, "POST", f"{path}/decision", {"accept": False, "note": "issuer unrated"})
    assert declined["status"] == "rejected" and declined["amounts_withheld"] is True
    back = await world.ok(ca["primary"], "GET", path)
    assert (back["returned"], back["held"]) == ("2500.00", "0.00")
    r = await world.call(world.eo_ca, "POST", f"{path}/decision", {"accept": True})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "guarantee_state_conflict")


async def test_no_guarantee_is_amended_or_added_once_the_window_is_rescheduled(world: Any):
    ca = await world.entity("CA")
    a_id, day = await _auction_with(world, (ca, "USD"))
    g = await world.submit(ca["primary"], a_id, world.instrument(ca, "3000.00", "USD", day + timedelta(days=27)))
    await world.accepted(g["id"], "CA")
    new = await world.ok(ca["alternate"], "POST", f"/v1/guarantees/{g['id']}/amendments",
                         _terms(world.instrument(ca, "3500.00", "USD", day + timedelta(days=27))), status=201)
    assert new["amends"] == g["id"] and new["status"] == "submitted"
    old = await world.ok(world.fsa, "GET", f"/v1/guarantees/{g['id']}")
    assert (old["status"], old["returned"]) == ("superseded", "3000.00")
    values = await world.bus.wait_for(GuaranteeAccepted, count=2, auction_id=a_id, entity_id=ca["entity_id"])
    assert [v.accepted_value.amount for v in values] == ["3000.00", "0.00"]  # the auction service must not count it
    await world.accepted(new["id"], "CA")

    new_day = day + timedelta(days=7)  # §95912(j)(2): the bidding window is rescheduled
    await world.bus.publish(BiddingWindowRescheduled(
        auction_id=a_id, auction_date=new_day, bidding_opens_at=datetime.combine(new_day, datetime.min.time(), UTC),
        bidding_closes_at=datetime.combine(new_day, datetime.min.time(), UTC) + timedelta(hours=3),
        rescheduled_at=world.clock.now(), reason="technical systems failure"))

    async def rescheduled() -> dict[str, Any] | None:
        view = await world.ok(world.fsa, "GET", f"/v1/auctions/{a_id}/settlement")
        return view if view["rescheduled"] else None

    view = await eventually(rescheduled, timeout=20)
    assert view["auction_date"] == new_day.isoformat()
    assert any(new["id"] in p for p in view["problems"])  # §95912(j)(3)(A): expires before new date + 26 days
    body = world.instrument(ca, "9000.00", "USD", day + timedelta(days=60))
    r = await world.call(ca["primary"], "POST", f"/v1/guarantees/{new['id']}/amendments", _terms(body))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "guarantee_amendment_prohibited")  # (j)(3)(D)
    r = await world.call(ca["primary"], "POST", f"/v1/auctions/{a_id}/guarantees", body)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "guarantee_amendment_prohibited")  # (j)(3)(B)
    kept = await world.ok(ca["primary"], "GET", f"/v1/guarantees/{new['id']}")
    assert (kept["status"], kept["amount"]) == ("accepted", "3500.00")  # (j)(3)(C): kept for the new window


async def test_payments_and_views_refuse_bad_input_and_strangers(world: Any):
    r = await world.call(world.fsa, "POST", "/v1/invoices/inv_nope/payments",
                         {"amount": "1.00", "currency": "USD", "wire_reference": "W"})
    assert (r.status_code, r.json()["error"]["code"]) == (404, "invoice_not_found")
    r = await world.call(world.fsa, "POST", "/v1/invoices/inv_nope/payments",
                         {"amount": "1.001", "currency": "USD", "wire_reference": "W"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input")
    r = await world.call(world.fsa, "POST", "/v1/invoices/inv_nope/payments",
                         {"amount": "1.00", "currency": "EUR", "wire_reference": "W"})
    assert r.status_code == 422
    someone = await world.entity("CA")
    for path in ("/v1/reconciliation", "/v1/auctions/auc_x/settlement"):
        r = await world.call(someone["primary"], "GET", path)
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
    r = await world.call(someone["primary"], "POST", "/v1/ops/settlement-deadlines")
    assert r.status_code == 403
    assert (await world.call(someone["primary"], "GET", "/v1/guarantees/gua_nope")).status_code == 404
    assert (await world.call(world.fsa, "GET", "/v1/invoices/inv_nope")).status_code == 404


async def test_the_database_refuses_an_unbalanced_or_edited_ledger(financial: Any):
    async with financial.runtime.uow() as uow:
        tx = (await uow.session.execute(text(
            "INSERT INTO ledger_transactions (kind, currency, memo, occurred_at) "
            "VALUES ('payment_received', 'USD', '', now()) RETURNING id"))).scalar_one()
        await uow.session.execute(text(
            "INSERT INTO ledger_postings (transaction_id, account, amount) VALUES (:t, 'settlement_bank', 1.00)"),
            {"t": tx})
        with pytest.raises(DBAPIError, match="does not balance"):
            await uow.commit()
    async with financial.runtime.uow() as uow:
        await uow.session.execute(text(
            "INSERT INTO ledger_transactions (kind, currency, memo, occurred_at) "
            "VALUES ('payment_received', 'USD', '', now())"))
        with pytest.raises(DBAPIError, match="append-only"):
            await uow.session.execute(text("UPDATE ledger_transactions SET memo = 'edited'"))


async def test_a_delay_changes_nothing_but_a_cancellation_gives_every_guarantee_back(world: Any):
    ca = await world.entity("CA")
    a_id, day = await _auction_with(world, (ca, "USD"))
    cash = await world.submit(world.fsa, a_id, world.instrument(ca, "700.00", "USD", form="cash"))
    bond = await world.submit(ca["primary"], a_id, world.instrument(ca, "900.00", "USD", day + timedelta(days=90),
                                                                    form="bond"))
    for g in (cash, bond):
        await world.accepted(g["id"], "CA")
    await world.ok(world.fsa, "POST", f"/v1/guarantees/{bond['id']}/multi-auction-agreement")
    opens = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=18, minutes=40)
    await world.bus.publish(BiddingWindowRescheduled(  # §95912(j)(1): delayed by 40 minutes, not rescheduled
        auction_id=a_id, auction_date=day, bidding_opens_at=opens, bidding_closes_at=opens + timedelta(hours=3),
        rescheduled_at=world.clock.now(), kind="delayed"))
    await world.bus.publish(AuctionCancelled(auction_id=a_id, kind="window_cancelled", cancelled_at=world.clock.now(),
                                             reason="technical systems failure"))

    async def cancelled() -> dict[str, Any] | None:
        view = await world.ok(world.fsa, "GET", f"/v1/auctions/{a_id}/settlement")
        return view if view["status"] == "cancelled" else None

    view = await eventually(cancelled, timeout=20)
    assert view["rescheduled"] is False
    back = await world.ok(ca["primary"], "GET", f"/v1/guarantees/{cash['id']}")
    assert (back["status"], back["returned"]) == ("closed", "700.00")  # §95912(i)(3)(E)
    assert (await world.ok(ca["primary"], "GET", f"/v1/guarantees/{bond['id']}"))["status"] == "kept"  # (i)(3)(G)
    r = await world.call(ca["primary"], "POST", f"/v1/auctions/{a_id}/guarantees",
                         world.instrument(ca, "1.00", "USD", form="cash"))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "auction_cancelled")
