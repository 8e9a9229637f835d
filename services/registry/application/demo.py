"""Demo data for the dev stack: jurisdiction accounts, two approved entities with accounts, allowances.

    summary = await load_demo(runtime)                      # a started registry runtime (tests, in-process)
    summary = await load_demo_into(database_url)            # the launcher: the registry runs in a child process

Both are idempotent (a second run finds the demo entities and only reports them). Everything goes
through the same use cases as the API, in one transaction, so the AccountChanged / EntityChanged /
InstrumentsIssued events land in the outbox and the running service's relay publishes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from services.registry.adapters.orm import infrastructure
from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.accounts import ensure_jurisdiction_accounts, jurisdiction_account_number
from services.registry.application.entities import EntityApplication, apply_entity, decide_application
from services.registry.application.ledger import MoveCommand, execute_move, issue
from services.registry.application.policy import RegistryPolicy
from services.registry.config import Settings
from services.registry.domain.accounts import AccountType
from services.registry.domain.entities import EntityType, RepresentativeSet
from services.registry.domain.ledger import Spec
from shared.auth.principal import Principal
from shared.clock import Clock, SystemClock
from shared.db.engine import make_engine, make_session_factory
from shared.runtime import ServiceRuntime

DEMO_INDIVIDUALS = (("ind_demo_alice", "Alice Representative"), ("ind_demo_bruno", "Bruno Représentant"))
DEMO_ENTITIES = (
    ("Golden State Power Co.", "DEMO-CA-0001"),
    ("Pacific Cement Inc.", "DEMO-CA-0002"),
)


async def load_demo(runtime: ServiceRuntime, **options: Any) -> dict[str, Any]:
    """Load the demo into a started registry runtime. Options: see `load_demo_with`."""
    def factory() -> RegistryUnitOfWork:
        uow = runtime.uow()
        assert isinstance(uow, RegistryUnitOfWork)
        return uow

    policy = getattr(runtime, "policy", None) or RegistryPolicy()
    return await load_demo_with(factory, policy, **options)


async def load_demo_into(database_url: str, *, clock: Clock | None = None, **options: Any) -> dict[str, Any]:
    """Load the demo straight into the registry database (migrated); the service's relay publishes."""
    engine = make_engine(database_url, pool_size=2)
    sessions = make_session_factory(engine)
    try:
        return await load_demo_with(
            lambda: RegistryUnitOfWork(sessions, infrastructure, producer="registry", clock=clock or SystemClock()),
            RegistryPolicy.from_settings(Settings(database_url=database_url)), **options,
        )
    finally:
        await engine.dispose()


async def load_demo_with(
    uow_factory: Callable[[], RegistryUnitOfWork],
    policy: RegistryPolicy,
    *,
    jurisdiction: str = "CA",
    representatives: Sequence[tuple[str, str]] = DEMO_INDIVIDUALS,
    vintage: int | None = None,
    allowances_each: int = 100_000,
    offsets_each: int = 5_000,
) -> dict[str, Any]:
    """`representatives`: (individual id, legal name) pairs, at least two; they are recorded here as
    KYC-approved individuals (demo only): the first is primary of the first entity, the second its
    alternate; the third (or else the second) is primary of the second entity, the first its alternate."""
    if len(representatives) < 2:
        raise ValueError("the demo needs two representatives (a primary and an alternate)")
    staff = Principal(subject="demo-registrar",
                      roles=frozenset({f"registrar:{jurisdiction}", f"executive_officer:{jurisdiction}"}))
    async with uow_factory() as uow:
        now = uow.clock.now()
        year = vintage or now.year
        accounts = await ensure_jurisdiction_accounts(uow, policy.jurisdictions)
        for individual_id, name in representatives:
            await uow.registry.upsert_individual(individual_id, legal_name=name, jurisdiction=jurisdiction,
                                                 kyc_status="approved", at=now)
        (first, _), (second, _) = representatives[0], representatives[1]
        # With a third individual the second entity gets its own primary, so a demo transfer can be
        # submitted, confirmed and accepted by three different people (§95921(a)(1)).
        third = representatives[2][0] if len(representatives) > 2 else second
        entities: list[dict[str, Any]] = []
        created = False
        for index, (legal_name, taxpayer_id) in enumerate(DEMO_ENTITIES):
            existing = [e for e in await uow.registry.entities_with_taxpayer_id(jurisdiction, taxpayer_id)
                        if e.status == "approved"]
            if existing:
                entity_id = existing[0].id
            else:
                created = True
                primary, alternate = (first, second) if index == 0 else (third, first)
                entity_id = await apply_entity(uow, policy, EntityApplication(
                    legal_name=legal_name, entity_type=EntityType.COVERED, jurisdiction=jurisdiction,
                    taxpayer_id=taxpayer_id,
                    addresses=[{"kind": "physical", "line1": f"{100 + index} Market Street", "city": "Sacramento",
                                "region": jurisdiction, "postal_code": "95814", "country": "US"}],
                    directors_officers=[{"name": "Demo Director", "title": "Chief Executive Officer"}],
                    representatives=RepresentativeSet(primary, (alternate,)),
                ), by=staff)
                await decide_application(uow, entity_id, approve=True, reason="demo data", by=staff)
            entity_accounts = {a.account_type: a.number for a in await uow.registry.accounts_of_entity(entity_id)}
            entities.append({"entity_id": entity_id, "legal_name": legal_name, "accounts": entity_accounts})
        if created:
            await _fund(uow, policy, jurisdiction, year, entities, allowances_each, offsets_each)
        await uow.commit()
    return {"jurisdiction": jurisdiction, "vintage": year, "created": created,
            "jurisdiction_accounts": accounts, "entities": entities,
            "representatives": [i for i, _ in representatives]}


async def _fund(uow: RegistryUnitOfWork, policy: RegistryPolicy, jurisdiction: str, year: int,
                entities: list[dict[str, Any]], allowances_each: int, offsets_each: int) -> None:
    by = "demo-registrar"
    allocation = await jurisdiction_account_number(uow, jurisdiction, AccountType.ALLOCATION_HOLDING)
    auction = await jurisdiction_account_number(uow, jurisdiction, AccountType.AUCTION_HOLDING)
    await issue(uow, policy, jurisdiction=jurisdiction, instrument_type="allowance", vintage=year,
                quantity=allowances_each * len(entities) + 1_000_000, account_number=allocation, by=by)
    await issue(uow, policy, jurisdiction=jurisdiction, instrument_type="allowance", vintage=year,
                quantity=1_000_000, account_number=auction, by=by)
    await issue(uow, policy, jurisdiction=jurisdiction, instrument_type="offset", vintage=None,
                quantity=offsets_each * len(entities), account_number=None, by=by)
    issuance = await jurisdiction_account_number(uow, jurisdiction, AccountType.ISSUANCE)
    for entity in entities:
        holding = entity["accounts"]["holding"]
        for source, spec, quantity in ((allocation, Spec("allowance", jurisdiction, year), allowances_each),
                                       (issuance, Spec("offset", jurisdiction), offsets_each)):
            await execute_move(uow, policy, MoveCommand(
                request_id=f"demo:{entity['entity_id']}:{spec.instrument_type}", requested_by=by,
                source_account=source, destination_account=holding, spec=spec, quantity=quantity,
                reason="allocation" if spec.instrument_type == "allowance" else "offset_issuance",
            ))
