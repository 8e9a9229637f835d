"""Harness for the financial service: a running service (real HTTP, PostgreSQL and broker) per test
module, a bus that publishes what the auction service and the registry would (AuctionScheduled,
BidderApproved, AuctionCertified, AccountChanged, MoveRecorded, ...) and taps what financial
publishes (GuaranteeAccepted, WinnerSettled, ExecuteMove), and real tokens from the test issuer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.clock import ManualClock
from shared.contracts.auction import AuctionScheduled, BidderApproved
from shared.contracts.registry import AccountChanged, Representative
from shared.contracts.topics import Topic
from shared.testing.bus import BusTap
from shared.testing.server import RunningService, eventually

pytestmark = pytest.mark.integration
TAPPED = (Topic.FINANCIAL, Topic.REGISTRY_LEDGER_COMMANDS)


def uid(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


class World:
    """Drives the financial API as the FSA, executive officers, auction administrators and representatives."""

    def __init__(self, service: RunningService, bus: BusTap, issuer: Any, clock: ManualClock) -> None:
        self.service, self.bus, self.issuer, self.clock = service, bus, issuer, clock
        self.fsa = (uid("fsa"), ("financial_services_administrator:CA", "financial_services_administrator:QC"))
        self.aa = (uid("aa"), ("auction_administrator:CA", "auction_administrator:QC"))
        self.eo_ca = (uid("eo"), ("executive_officer:CA",))
        self.eo_qc = (uid("eo"), ("executive_officer:QC",))

    def token(self, who: tuple[str, tuple[str, ...]] | str) -> str:
        subject, roles = (who, ("individual",)) if isinstance(who, str) else who
        # a fresh second factor by the service's (manual) clock: step-up counts from it
        return str(self.issuer.mint(subject, roles=roles, mfa=True, auth_time=self.clock.now().timestamp()))

    async def call(self, who: tuple[str, tuple[str, ...]] | str | None, method: str, path: str,
                   body: Any = None, **params: Any) -> httpx.Response:
        async with self.service.client(self.token(who) if who else None) as client:
            return await client.request(method, path, json=body, params=params or None)

    async def ok(self, who: Any, method: str, path: str, body: Any = None, status: int = 200, **params: Any) -> Any:
        r = await self.call(who, method, path, body, **params)
        assert r.status_code == status, r.text
        return r.json()

    @staticmethod
    def instrument(entity: dict[str, str], amount: str, currency: str, expires: date | None = None,
                   form: str = "letter_of_credit") -> dict[str, Any]:
        body = {"entity_id": entity["entity_id"], "form": form, "amount": amount, "currency": currency,
                "issuer": "First Bank", "instrument_reference": uid("ref")}
        return body | ({"expires_on": expires.isoformat()} if expires else {})

    # ---- what other services publish ----------------------------------------------------------------
    async def entity(self, jurisdiction: str, *, viewer: bool = False) -> dict[str, str]:
        """An entity with holding and compliance accounts and its representatives (registry.AccountChanged)."""
        entity_id, primary, alternate = uid("ent"), uid("par"), uid("aar")
        reps = [Representative(individual_id=primary, role="primary"),
                Representative(individual_id=alternate, role="alternate")]
        party = {"entity_id": entity_id, "primary": primary, "alternate": alternate, "jurisdiction": jurisdiction}
        if viewer:
            party["viewer"] = uid("view")
            reps.append(Representative(individual_id=party["viewer"], role="viewing_agent"))
        for kind in ("holding", "compliance"):
            party[kind] = uid(kind[:4].upper())
            await self.bus.publish(AccountChanged(
                account_number=party[kind], account_type=kind, owner_kind="entity", entity_id=entity_id,
                jurisdiction=jurisdiction, status="open", representatives=reps), producer="registry")
        return party

    async def auction(self, *, days_ahead: int = 20, jurisdictions: tuple[str, ...] = ("CA", "QC")) -> dict[str, Any]:
        today = self.clock.now().date()
        auction_date = today + timedelta(days=days_ahead)
        event = AuctionScheduled(
            auction_id=uid("auc"), auction_date=auction_date,
            bidding_opens_at=datetime.combine(auction_date, datetime.min.time(), UTC) + timedelta(hours=18),
            bidding_closes_at=datetime.combine(auction_date, datetime.min.time(), UTC) + timedelta(hours=21),
            jurisdictions=list(jurisdictions), guarantee_deadline=auction_date - timedelta(days=12),
            reserve_price_usd="25.87",
        )
        await self.bus.publish(event)
        await eventually(lambda: self._known(event.auction_id), timeout=20)
        return {"auction_id": event.auction_id, "auction_date": auction_date}

    async def _known(self, auction_id: str) -> bool:
        r = await self.call(self.fsa, "GET", f"/v1/auctions/{auction_id}/settlement")
        return r.status_code == 200

    async def approve(self, auction_id: str, party: dict[str, str], currency: str) -> None:
        await self.bus.publish(BidderApproved(auction_id=auction_id, entity_id=party["entity_id"],
                                              jurisdiction=party["jurisdiction"], currency=currency))  # type: ignore[arg-type]

    async def submit(self, who: Any, auction_id: str, body: dict[str, Any], timeout: float = 20.0) -> dict[str, Any]:
        """Submit once the service has learned the bidder's approval and its representatives."""
        async def accepted() -> dict[str, Any] | None:
            r = await self.call(who, "POST", f"/v1/auctions/{auction_id}/guarantees", body)
            if r.status_code in (403, 409) and r.json()["error"]["code"] in ("not_a_representative",
                                                                             "bidder_not_approved"):
                return None
            assert r.status_code == 201, r.text
            return dict(r.json())

        return dict(await eventually(accepted, timeout=timeout))

    async def accepted(self, guarantee_id: str, jurisdiction: str) -> dict[str, Any]:
        """The FSA evaluates it conforming, the executive officer accepts it (§95912(h)(8))."""
        await self.ok(self.fsa, "POST", f"/v1/guarantees/{guarantee_id}/evaluation", {"conforming": True})
        eo = self.eo_ca if jurisdiction == "CA" else self.eo_qc
        return dict(await self.ok(eo, "POST", f"/v1/guarantees/{guarantee_id}/decision", {"accept": True}))


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC))


@pytest.fixture(scope="module")
async def financial(service_factory: Any, clock: ManualClock) -> AsyncIterator[RunningService]:
    async with service_factory("financial", clock=clock, deadline_poll_seconds=0.2) as running:
        yield running


@pytest.fixture(scope="module")
async def bus(infra: Any, financial: RunningService) -> AsyncIterator[BusTap]:
    tap = BusTap(infra.bootstrap, TAPPED, producer="auction")  # publishes as auction (or registry) would
    await tap.start()
    try:
        yield tap
    finally:
        await tap.stop()


@pytest.fixture
def world(financial: RunningService, bus: BusTap, issuer: Any, clock: ManualClock) -> World:
    return World(financial, bus, issuer[0], clock)
