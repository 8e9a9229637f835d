"""Kafka topics -> contracts -> use cases, for the auction service (one consumer group, "auction").

- identity.individuals.v1: KYC status of representatives (§95912(d)(6)(A));
- registry.entities.v1 / registry.accounts.v1: registration, suspension and revocation, holding
  accounts and representatives (§95912(d)(2)-(3), §95832);
- registry.ledger.v1: deliveries of auctioned allowances, whose serials go to linked systems (§95912(i)(5));
- financial.settlement.v1: accepted bid guarantees (§95912(h)(8)) and settled winners.
"""

from typing import cast

from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.application import events
from shared.contracts.financial import GuaranteeAccepted, WinnerSettled
from shared.contracts.identity import IndividualApproved, IndividualDenied, IndividualSuspended
from shared.contracts.registry import AccountChanged, EntityChanged, MoveRecorded
from shared.contracts.topics import Topic
from shared.db.uow import SqlAlchemyUnitOfWork
from shared.messaging.envelope import Envelope
from shared.runtime import ServiceRuntime, Subscription


def _uow(uow: SqlAlchemyUnitOfWork) -> AuctionUnitOfWork:
    return cast(AuctionUnitOfWork, uow)


async def on_entity_changed(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    assert isinstance(event, EntityChanged)
    await events.entity_changed(event, envelope.occurred_at, _uow(uow))


async def on_account_changed(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    assert isinstance(event, AccountChanged)
    await events.account_changed(event, envelope.occurred_at, _uow(uow))


async def on_individual(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    assert isinstance(event, IndividualApproved | IndividualDenied | IndividualSuspended)
    await events.individual_status(event, envelope.occurred_at, _uow(uow))


async def on_guarantee_accepted(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    assert isinstance(event, GuaranteeAccepted)
    await events.guarantee_accepted(event, envelope.event_id, _uow(uow))


async def on_winner_settled(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    assert isinstance(event, WinnerSettled)
    await events.winner_settled(event, _uow(uow))


async def on_move_recorded(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    assert isinstance(event, MoveRecorded)
    await events.move_recorded(event, _uow(uow))


def subscriptions(runtime: ServiceRuntime) -> list[Subscription]:
    return [
        Subscription(
            [Topic.IDENTITY_INDIVIDUALS, Topic.IDENTITY_CREDENTIALS, Topic.REGISTRY_ENTITIES,
             Topic.REGISTRY_ACCOUNTS, Topic.REGISTRY_LEDGER, Topic.FINANCIAL],
            {
                IndividualApproved.EVENT_TYPE: on_individual,
                IndividualDenied.EVENT_TYPE: on_individual,
                IndividualSuspended.EVENT_TYPE: on_individual,
                EntityChanged.EVENT_TYPE: on_entity_changed,
                AccountChanged.EVENT_TYPE: on_account_changed,
                MoveRecorded.EVENT_TYPE: on_move_recorded,
                GuaranteeAccepted.EVENT_TYPE: on_guarantee_accepted,
                WinnerSettled.EVENT_TYPE: on_winner_settled,
                **runtime.credential_subscription().handlers,
            },
        )
    ]
