"""The linkage feed (bus and HTTP), inbound transfers from a linked registry, demo data, reconciliation."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from capreg.reconcile import reconcile_ledger
from services.registry.adapters.orm import holding_blocks
from services.registry.application.demo import load_demo
from shared.contracts.registry import ExecuteMove, InstrumentSpec

from .conftest import YEAR

pytestmark = pytest.mark.integration

PARTNER = {"subject": "client:wa-registry", "roles": ("machine",)}


@pytest.fixture(scope="module")
def registry_settings():
    return {"linked_registries": {"wa-registry": {"jurisdiction": "WA", "linked_with": ["CA", "QC"]}}}


def _inbound(registry, destination, first, last, *, external=None, jurisdiction="WA"):
    return {"external_transfer_id": external or registry.uid("wa"), "destination_account": destination,
            "serials": [{"instrument_type": "allowance", "jurisdiction": jurisdiction, "vintage": YEAR,
                         "first_serial": first, "last_serial": last}]}


async def test_demo_data_loads_once_with_funded_accounts(registry):
    summary = await load_demo(registry.runtime)
    assert summary["created"] and len(summary["entities"]) == 2
    holding = summary["entities"][0]["accounts"]["holding"]
    assert await registry.balance(holding, instrument_type="allowance") == 100_000
    assert await registry.balance(holding, instrument_type="offset") == 5_000
    again = await load_demo(registry.runtime)
    assert not again["created"] and again["entities"] == summary["entities"]
    mine = await registry.ok("GET", "/v1/me/accounts", subject="ind_demo_alice")
    assert {a["role"] for a in mine["accounts"]} == {"primary", "alternate"}


async def test_the_feed_pages_every_movement_in_journal_order_for_machine_clients(registry):
    entity = await registry.entity()
    funded = await registry.fund(entity["accounts"]["holding"], 50)
    r = await registry.call("GET", "/v1/linkage/feed", subject=entity["primary"])
    assert r.status_code == 403
    records, cursor = [], 0
    while True:
        page = await registry.ok("GET", "/v1/linkage/feed", params={"after": cursor, "limit": 7},
                                 subject="client:wa-registry", roles=("machine",))
        records += page["records"]
        if not page["records"]:
            assert page["next_cursor"] == cursor
            break
        cursor = page["next_cursor"]
    sequences = [r["sequence"] for r in records]
    assert sequences == list(range(1, len(records) + 1))  # gap-free, in order
    last = next(r for r in records if r["move_id"] == funded["move_id"])
    assert last["kind"] == "move" and last["serials"] == funded["serials"]
    on_bus = await registry.tap.wait("linkage.LedgerMovementReported", move_id=funded["move_id"])
    assert on_bus["sequence"] == last["sequence"] and on_bus["serials"] == last["serials"]


async def test_inbound_transfers_are_accepted_only_from_the_registered_linked_registry(registry):
    ca, qc = await registry.entity(), await registry.entity(jurisdiction="QC")
    ns = await registry.entity(jurisdiction="NS")
    body = _inbound(registry, ca["accounts"]["holding"], 1, 500)
    r = await registry.call("POST", "/v1/linkage/inbound-transfers", subject="client:other", roles=("machine",),
                            json=body)
    assert r.status_code == 403
    r = await registry.call("POST", "/v1/linkage/inbound-transfers", subject=ca["primary"], json=body)
    assert r.status_code == 403
    first = await registry.ok("POST", "/v1/linkage/inbound-transfers", **PARTNER, json=body)
    assert first["kind"] == "inbound" and first["quantity"] == 500
    again = await registry.ok("POST", "/v1/linkage/inbound-transfers", **PARTNER, json=body)
    assert again["move_id"] == first["move_id"]  # idempotent per external transfer id
    assert await registry.balance(ca["accounts"]["holding"], jurisdiction="WA") == 500

    r = await registry.call("POST", "/v1/linkage/inbound-transfers", **PARTNER,
                            json=_inbound(registry, ca["accounts"]["holding"], 400, 600))
    assert r.status_code == 409 and r.json()["error"]["code"] == "serials_already_recorded"
    r = await registry.call("POST", "/v1/linkage/inbound-transfers", **PARTNER,
                            json=_inbound(registry, ns["accounts"]["holding"], 1_000, 1_100))
    assert r.status_code == 422 and r.json()["error"]["code"] == "jurisdiction_not_linked"
    r = await registry.call("POST", "/v1/linkage/inbound-transfers", **PARTNER,
                            json=_inbound(registry, ca["accounts"]["holding"], 1_000, 1_100, jurisdiction="CA"))
    assert r.status_code == 403  # only its own jurisdiction's instruments

    wa = InstrumentSpec(instrument_type="allowance", jurisdiction="WA", vintage=YEAR)
    onward = ExecuteMove(request_id=registry.uid("mv"), requested_by="transfers",
                         source_account=ca["accounts"]["holding"], destination_account=qc["accounts"]["holding"],
                         instrument=wa, quantity=100, reason="transfer")
    await registry.send(onward)
    await registry.tap.wait("registry.MoveRecorded", request_id=onward.request_id)
    blocked = onward.model_copy(update={"request_id": registry.uid("mv"),
                                        "destination_account": ns["accounts"]["holding"]})
    await registry.send(blocked)
    refused = await registry.tap.wait("registry.MoveRefused", request_id=blocked.request_id)
    assert refused["code"] == "jurisdiction_not_linked"


async def test_reconciliation_rederives_every_balance_and_reports_tampering(registry, capsys):
    url = registry.runtime.settings.database_url
    assert await reconcile_ledger(url) == 0
    assert "CONSISTENT" in capsys.readouterr().out
    over_http = await registry.ok("GET", "/v1/ops/reconciliation", subject="eo-CA", roles=("executive_officer:CA",))
    assert over_http["consistent"] and over_http["journal_entries"] > 0

    # tamper: move a block to another account behind the journal's back
    victim = (await registry.entity())["accounts"]["holding"]
    await registry.fund(victim, 10)
    async with registry.runtime.registry_uow() as uow:
        block_id = (await uow.session.execute(
            select(holding_blocks.c.id).where(holding_blocks.c.account_number == victim))).scalar_one()
        other = (await registry.jurisdiction_accounts())["auction_holding"]
        await uow.session.execute(update(holding_blocks).where(holding_blocks.c.id == block_id)
                                  .values(account_number=other))
        await uow.commit()
    assert await reconcile_ledger(url) == 1
    out = capsys.readouterr().out
    assert "INCONSISTENT" in out and victim in out
