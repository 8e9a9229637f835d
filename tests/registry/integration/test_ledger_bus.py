"""The ledger over the bus: ledger commands in, answers out, applied exactly once."""

from __future__ import annotations

import asyncio

import pytest

from shared.contracts.registry import (
    ExecuteMove,
    InstrumentSpec,
    ReleaseReservation,
    ReserveInstruments,
)
from shared.contracts.topics import Topic
from shared.testing.server import eventually

from .conftest import CA_LIMIT, YEAR

pytestmark = pytest.mark.integration

CA = InstrumentSpec(instrument_type="allowance", jurisdiction="CA", vintage=YEAR)


def move(registry, source, destination, quantity, **kw):
    kw.setdefault("request_id", registry.uid("mv"))
    return ExecuteMove(requested_by="transfers", source_account=source, destination_account=destination,
                       instrument=kw.pop("instrument", CA), quantity=quantity, reason=kw.pop("reason", "transfer"),
                       **kw)


async def test_issuance_gives_unique_consecutive_serials_and_reports_them(registry):
    first = await registry.issue(1_000)
    second = await registry.issue(500)
    a, b = first["serials"][0], second["serials"][0]
    assert a["last_serial"] - a["first_serial"] + 1 == 1_000
    assert b["first_serial"] > a["last_serial"]  # never reused
    issued = await registry.tap.wait("registry.InstrumentsIssued", move_id=second["move_id"])
    assert issued["serials"] == second["serials"]
    feed = await registry.tap.wait("linkage.LedgerMovementReported", move_id=second["move_id"])
    assert feed["kind"] == "issuance" and feed["source_account"] is None and feed["sequence"] == second["sequence"]

    r = await registry.call("POST", "/v1/issuances", **registry.staff("executive_officer", "QC"),
                            json={"jurisdiction": "CA", "instrument_type": "allowance", "vintage": YEAR,
                                  "quantity": 10})
    assert r.status_code == 403  # only the issuing jurisdiction's staff
    r = await registry.call("POST", "/v1/issuances", **registry.staff("executive_officer", "CA"),
                            json={"jurisdiction": "CA", "instrument_type": "allowance", "quantity": 10})
    assert r.status_code == 422  # allowances carry a vintage
    entity = await registry.entity()
    r = await registry.call("POST", "/v1/issuances", **registry.staff("executive_officer", "CA"),
                            json={"jurisdiction": "CA", "instrument_type": "allowance", "vintage": YEAR,
                                  "quantity": 10, "account_number": entity["accounts"]["holding"]})
    assert r.status_code == 422  # only into the jurisdiction's own accounts


async def test_a_reserved_move_is_recorded_exactly_once_even_when_the_command_is_delivered_twice(registry):
    seller, buyer = await registry.entity(), await registry.entity()
    source, destination = seller["accounts"]["holding"], buyer["accounts"]["holding"]
    await registry.fund(source, 10_000)

    reservation = registry.uid("tr")
    await registry.send(ReserveInstruments(request_id=reservation, requested_by="transfers", account_number=source,
                                           instrument=CA, quantity=2_500, purpose="transfer"))
    reserved = await registry.tap.wait("registry.InstrumentsReserved", request_id=reservation)
    assert sum(s["last_serial"] - s["first_serial"] + 1 for s in reserved["serials"]) == 2_500
    holdings = await registry.holdings(source)
    assert holdings["balances"][0]["reserved"] == 2_500 and holdings["balances"][0]["available"] == 7_500

    command = move(registry, source, destination, 2_500, reservation_id=reservation, request_id=f"{reservation}:move")
    envelope = await registry.send(command)
    await registry.resend(envelope, Topic.REGISTRY_LEDGER_COMMANDS)  # a redelivery: the same event id
    await registry.send(command)  # sent again by the sender: a new event id, the same request id
    recorded = await registry.tap.wait("registry.MoveRecorded", request_id=command.request_id)
    assert recorded["serials"] == reserved["serials"]  # the reserved serials, exactly

    async def settled() -> bool:
        body = await registry.ok("GET", f"/v1/ledger/requests/{command.request_id}", subject="transfers-svc",
                                 roles=("machine",))
        return body["commands"][0]["outcome"] == "applied"

    await eventually(settled)
    await asyncio.sleep(1.0)  # let the duplicates arrive and be dropped
    assert len(registry.tap.find("registry.MoveRecorded", request_id=command.request_id)) == 1
    assert not registry.tap.find("registry.MoveRefused", request_id=command.request_id)
    assert await registry.balance(destination) == 2_500
    assert await registry.balance(source) == 7_500


async def test_a_free_move_takes_the_lowest_serials_and_splits_the_block(registry):
    seller, buyer = await registry.entity(), await registry.entity()
    source, destination = seller["accounts"]["holding"], buyer["accounts"]["holding"]
    funded = await registry.fund(source, 1_000)
    first = funded["serials"][0]["first_serial"]
    command = move(registry, source, destination, 300)
    await registry.send(command)
    recorded = await registry.tap.wait("registry.MoveRecorded", request_id=command.request_id)
    assert [(s["first_serial"], s["last_serial"]) for s in recorded["serials"]] == [(first, first + 299)]
    left = (await registry.holdings(source))["blocks"]
    assert [(b["first_serial"], b["last_serial"]) for b in left] == [(first + 300, first + 999)]
    # moving them back coalesces into one block again
    back = move(registry, destination, source, 300)
    await registry.send(back)
    await registry.tap.wait("registry.MoveRecorded", request_id=back.request_id)
    blocks = (await registry.holdings(source))["blocks"]
    assert [(b["first_serial"], b["last_serial"]) for b in blocks] == [(first, first + 999)]


async def _refusal(registry, command) -> dict:
    await registry.send(command)
    return await registry.tap.wait("registry.MoveRefused", request_id=command.request_id)


async def test_refused_moves_answer_with_a_stable_code_and_change_nothing(registry):
    ca, other, ns = await registry.entity(), await registry.entity(), await registry.entity(jurisdiction="NS")
    holding, compliance = ca["accounts"]["holding"], ca["accounts"]["compliance"]
    await registry.fund(holding, 1_000)

    refused = await _refusal(registry, move(registry, holding, other["accounts"]["holding"], 1_001))
    assert refused["code"] == "insufficient_holdings"
    # DOMAIN.md: Nova Scotia instruments never move to or from a California/Québec account
    refused = await _refusal(registry, move(registry, holding, ns["accounts"]["holding"], 10))
    assert refused["code"] == "jurisdiction_not_linked"
    # moving into a compliance account is one-way
    into = move(registry, holding, compliance, 100)
    await registry.send(into)
    await registry.tap.wait("registry.MoveRecorded", request_id=into.request_id)
    refused = await _refusal(registry, move(registry, compliance, holding, 10))
    assert refused["code"] == "compliance_account_is_one_way"
    refused = await _refusal(registry, move(registry, holding, "CA-99999999-00", 10))
    assert refused["code"] == "invalid_account_number"
    refused = await _refusal(registry, move(registry, holding, holding, 10))
    assert refused["code"] == "same_account"
    refused = await _refusal(registry, move(registry, ca["accounts"]["limited_use_holding"], holding, 10))
    assert refused["code"] == "limited_use_holding_consignment_only"
    assert await registry.balance(holding) == 900 and await registry.balance(compliance) == 100


async def test_a_move_over_the_holding_limit_is_refused_when_checked(registry):
    """§95920(b)(4), at the configured budget: the CA limit is 3,375,000."""
    buyer = await registry.entity()
    auction = (await registry.jurisdiction_accounts())["auction_holding"]
    await registry.issue(CA_LIMIT + 10, account_type="auction_holding")
    refused = await _refusal(registry, move(registry, auction, buyer["accounts"]["holding"], CA_LIMIT + 1,
                                            reason="auction_award"))
    assert refused["code"] == "holding_limit_exceeded"
    ok = move(registry, auction, buyer["accounts"]["holding"], CA_LIMIT, reason="auction_award")
    await registry.send(ok)
    await registry.tap.wait("registry.MoveRecorded", request_id=ok.request_id)
    unchecked = move(registry, auction, buyer["accounts"]["annual_allocation_holding"], 10,
                     reason="allocation", check_holding_limit=True)
    await registry.send(unchecked)  # annual allocation holding accounts do not count (§95920)
    await registry.tap.wait("registry.MoveRecorded", request_id=unchecked.request_id)
    headroom = await registry.ok("GET", f"/v1/holding-limits/{buyer['entity_id']}/headroom",
                                 subject="auction-svc", roles=("machine",))
    assert headroom["limit"] == CA_LIMIT and headroom["counted"] == CA_LIMIT and headroom["headroom"] == 0


async def test_a_reservation_is_released_by_its_request_id_and_cannot_be_used_afterwards(registry):
    seller, buyer = await registry.entity(), await registry.entity()
    source = seller["accounts"]["holding"]
    await registry.fund(source, 500)
    reservation = registry.uid("tr")
    await registry.send(ReserveInstruments(request_id=reservation, requested_by="transfers", account_number=source,
                                           instrument=CA, quantity=400, purpose="transfer"))
    await registry.tap.wait("registry.InstrumentsReserved", request_id=reservation)
    refused = await _refusal(registry, move(registry, source, buyer["accounts"]["holding"], 200))
    assert refused["code"] == "insufficient_holdings"  # only 100 are free

    await registry.send(ReleaseReservation(request_id=reservation, requested_by="transfers", reason="denied"))
    released = await registry.tap.wait("registry.ReservationReleased", request_id=reservation)
    assert released["reservation_id"] == reservation
    assert (await registry.holdings(source))["balances"][0]["reserved"] == 0
    refused = await _refusal(registry, move(registry, source, buyer["accounts"]["holding"], 400,
                                            reservation_id=reservation))
    assert refused["code"] == "reservation_not_active"
    again = registry.uid("rel")
    await registry.send(ReleaseReservation(request_id=again, requested_by="transfers", reason="twice",
                                           reservation_id=reservation))
    refused = await registry.tap.wait("registry.ReservationRefused", request_id=again)
    assert refused["code"] == "reservation_not_active"
    short = registry.uid("tr")
    await registry.send(ReserveInstruments(request_id=short, requested_by="transfers", account_number=source,
                                           instrument=CA, quantity=501, purpose="transfer"))
    assert (await registry.tap.wait("registry.ReservationRefused", request_id=short))["code"] == "insufficient_holdings"


async def test_surrender_and_voluntary_retirement_go_to_the_retirement_account_for_good(registry):
    entity = await registry.entity()
    holding, compliance = entity["accounts"]["holding"], entity["accounts"]["compliance"]
    await registry.fund(holding, 1_000)
    into = move(registry, holding, compliance, 600)
    await registry.send(into)
    await registry.tap.wait("registry.MoveRecorded", request_id=into.request_id)
    instrument = {"instrument_type": "allowance", "jurisdiction": "CA", "vintage": YEAR}

    r = await registry.call("POST", "/v1/retirements", subject=entity["primary"],
                            json={"account_number": compliance, "instrument": instrument, "quantity": 100,
                                  "reason": "surrender"})
    assert r.status_code == 403  # surrender is done by the jurisdiction's staff
    surrendered = await registry.ok("POST", "/v1/retirements", **registry.staff("executive_officer"),
                                    json={"account_number": compliance, "instrument": instrument, "quantity": 600,
                                          "reason": "surrender"})
    assert surrendered["kind"] == "retirement"
    retired = await registry.tap.wait("registry.InstrumentsRetired", move_id=surrendered["move_id"])
    assert retired["reason"] == "surrender" and retired["account_number"] == compliance

    r = await registry.call("POST", "/v1/retirements", subject=entity["viewer"],
                            json={"account_number": holding, "instrument": instrument, "quantity": 10,
                                  "reason": "voluntary_retirement"})
    assert r.status_code == 403  # viewing agents see but never act (§95832)
    await registry.ok("POST", "/v1/retirements", subject=entity["alternate"],
                      json={"account_number": holding, "instrument": instrument, "quantity": 10,
                            "reason": "voluntary_retirement", "request_id": "vr-" + entity["entity_id"]})
    replay = await registry.ok("POST", "/v1/retirements", subject=entity["alternate"],
                               json={"account_number": holding, "instrument": instrument, "quantity": 10,
                                     "reason": "voluntary_retirement", "request_id": "vr-" + entity["entity_id"]})
    assert replay["kind"] == "retirement"  # the same request id: the first outcome, nothing retired twice
    assert await registry.balance(holding) == 390 and await registry.balance(compliance) == 0

    retirement = (await registry.jurisdiction_accounts())["retirement"]
    refused = await _refusal(registry, move(registry, retirement, holding, 1))
    assert refused["code"] == "retired_instruments_are_final"
