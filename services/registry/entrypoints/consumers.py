"""Kafka topics -> contracts -> commands, for the registry service.

Handlers run inside the consumer's unit of work and never commit (the consumer commits the inbox
row and the effect together). The consumer may apply a partition's batch in one transaction: each
ledger command therefore isolates its own refusal in a savepoint (application/ledger_commands.py).
"""

from services.registry.adapters.unit_of_work import registry_uow
from services.registry.application.ledger_commands import on_execute_move, on_release, on_reserve
from services.registry.application.policy import RegistryPolicy
from services.registry.application.representatives import on_kyc_change
from shared.contracts.identity import (
    IndividualApproved,
    IndividualDenied,
    IndividualRegistered,
    IndividualSuspended,
)
from shared.contracts.registry import ExecuteMove, ReleaseReservation, ReserveInstruments
from shared.contracts.topics import Topic
from shared.db.uow import SqlAlchemyUnitOfWork
from shared.messaging.consumer import Handler
from shared.messaging.envelope import Envelope
from shared.runtime import ServiceRuntime, Subscription


async def on_individual_registered(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    assert isinstance(event, IndividualRegistered)
    u = registry_uow(uow)
    await u.registry.upsert_individual(event.individual_id, legal_name=event.legal_name,
                                       jurisdiction=event.jurisdiction, kyc_status="registered",
                                       at=envelope.occurred_at, keep_status=True)
    await uow.audit("individual.learned", event.individual_id, {"event_id": str(envelope.event_id)})


async def on_individual_approved(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    """§95834: KYC passed; the individual may now be named a representative."""
    assert isinstance(event, IndividualApproved)
    u = registry_uow(uow)
    await u.registry.upsert_individual(event.individual_id, legal_name=event.legal_name,
                                       jurisdiction=event.jurisdiction, kyc_status="approved", at=envelope.occurred_at)
    await on_kyc_change(u, event.individual_id)


async def _kyc_lost(individual_id: str, status: str, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    u = registry_uow(uow)
    if await u.registry.set_kyc_status(individual_id, status, envelope.occurred_at):
        await on_kyc_change(u, individual_id)  # their rights disappear from AccountChanged
        await uow.audit(f"individual.{status}", individual_id, {"event_id": str(envelope.event_id)})


async def on_individual_denied(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    assert isinstance(event, IndividualDenied)
    await _kyc_lost(event.individual_id, "denied", envelope, uow)


async def on_individual_suspended(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    assert isinstance(event, IndividualSuspended)
    await _kyc_lost(event.individual_id, "suspended", envelope, uow)


def ledger_handlers(policy: RegistryPolicy) -> dict[str, Handler]:
    async def reserve(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        assert isinstance(event, ReserveInstruments)
        await on_reserve(event, registry_uow(uow))

    async def release(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        assert isinstance(event, ReleaseReservation)
        await on_release(event, registry_uow(uow))

    async def move(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        assert isinstance(event, ExecuteMove)
        await on_execute_move(event, registry_uow(uow), policy)

    return {
        ReserveInstruments.EVENT_TYPE: reserve,
        ReleaseReservation.EVENT_TYPE: release,
        ExecuteMove.EVENT_TYPE: move,
    }


def subscriptions(runtime: ServiceRuntime, policy: RegistryPolicy | None = None) -> list[Subscription]:
    """One consumer (group "registry") for every topic SUBSCRIPTIONS lists for the registry. The
    transfers, auction and financial topics carry nothing the registry acts on yet (those services talk
    to the ledger through ledger commands); consuming them keeps their relays' confirmation right."""
    policy = policy or RegistryPolicy()
    return [
        Subscription(
            [Topic.IDENTITY_INDIVIDUALS, Topic.IDENTITY_CREDENTIALS, Topic.REGISTRY_LEDGER_COMMANDS,
             Topic.TRANSFERS, Topic.AUCTION, Topic.FINANCIAL],
            {
                IndividualRegistered.EVENT_TYPE: on_individual_registered,
                IndividualApproved.EVENT_TYPE: on_individual_approved,
                IndividualDenied.EVENT_TYPE: on_individual_denied,
                IndividualSuspended.EVENT_TYPE: on_individual_suspended,
                **runtime.credential_subscription().handlers,
                **ledger_handlers(policy),
            },
        ),
    ]
