"""The transfers service with the real registry, both running over the real bus: submit → recorded.

The registry's own demo loader creates an approved, funded entity whose holding and compliance
accounts have two representatives. A move between one entity's holding and compliance accounts
needs no acceptance (§95921(a)(2)(B)), so two individuals and the Executive Officer suffice.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from services.registry.application.demo import load_demo
from services.transfers.adapters.orm import accounts
from shared.testing.server import eventually

pytestmark = pytest.mark.e2e

ALICE, BRUNO = "ind_e2e_alice", "ind_e2e_bruno"


async def test_a_transfer_is_reserved_moved_and_recorded_by_the_real_registry(service_factory, issuer):
    test_issuer = issuer[0]

    def token(subject: str, roles: tuple[str, ...] = ("individual",)) -> str:
        return str(test_issuer.mint(subject, roles=roles, mfa=True, auth_time=time.time()))

    async with service_factory("registry") as registry, service_factory("transfers") as transfers:
        demo = await load_demo(registry.runtime, representatives=[(ALICE, "Alice E2E"), (BRUNO, "Bruno E2E")],
                               allowances_each=10_000)
        entity = demo["entities"][0]  # Alice is its primary representative, Bruno its alternate
        holding, compliance = entity["accounts"]["holding"], entity["accounts"]["compliance"]

        async def projected() -> bool:
            async with transfers.runtime.uow() as uow:
                rows = (await uow.session.execute(select(accounts.c.account_number).where(
                    accounts.c.account_number.in_([holding, compliance])))).all()
            return len(rows) == 2

        await eventually(projected, timeout=30)
        today = transfers.runtime.clock.now().date().isoformat()
        body = {"source_account": holding, "destination_account": compliance,
                "instrument": {"instrument_type": "allowance", "vintage": demo["vintage"]}, "quantity": 250,
                "transaction": {"transaction_type": "otc_spot", "agreement_date": today,
                                "expected_termination_date": today, "price": "0", "currency": "USD",
                                "zero_price_reason": "B"}}
        async with transfers.client(token(ALICE)) as alice:
            r = await alice.post("/v1/transfers", json=body)
        assert r.status_code == 201, r.text
        tid = r.json()["transfer_id"]
        officer = token("eo_e2e", ("executive_officer:CA",))

        async def status() -> Any:
            async with transfers.client(officer) as client:
                return (await client.get(f"/v1/transfers/{tid}")).json()

        async def reached(wanted: str) -> dict[str, Any]:
            async def check() -> Any:
                body = await status()
                return body if body["status"] == wanted else None
            return dict(await eventually(check, timeout=30))

        await reached("proposed")  # the registry reserved 250 allowances in the holding account
        async with transfers.client(token(BRUNO)) as bruno:
            r = await bruno.post(f"/v1/transfers/{tid}/confirm")
        assert r.status_code == 200 and r.json()["status"] == "awaiting_approval", r.text
        async with transfers.client(officer) as client:
            r = await client.post(f"/v1/transfers/{tid}/determination", json={"decision": "approve"})
        assert r.status_code == 200, r.text
        done = await reached("recorded")
        assert done["move_id"]

        async with registry.client(token(ALICE)) as client:
            r = await client.get(f"/v1/accounts/{compliance}/holdings")
        assert r.status_code == 200, r.text
        assert sum(b["quantity"] for b in r.json()["blocks"]) == 250
