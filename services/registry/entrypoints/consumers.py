"""Kafka topics -> contracts -> commands, for the registry service."""

from sqlalchemy.dialects.postgresql import insert

from services.registry.adapters.orm import known_individuals
from shared.contracts.identity import IndividualApproved, IndividualRegistered
from shared.contracts.topics import Topic
from shared.db.uow import SqlAlchemyUnitOfWork
from shared.messaging.envelope import Envelope
from shared.runtime import ServiceRuntime, Subscription


async def on_individual_registered(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    assert isinstance(event, IndividualRegistered)
    stmt = insert(known_individuals).values(
        id=event.individual_id, legal_name=event.legal_name, jurisdiction=event.jurisdiction,
        kyc_status="registered", updated_at=envelope.occurred_at,
    )
    await uow.session.execute(stmt.on_conflict_do_nothing())
    await uow.audit("individual.learned", event.individual_id, {"event_id": str(envelope.event_id)})


async def on_individual_approved(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
    assert isinstance(event, IndividualApproved)
    stmt = insert(known_individuals).values(
        id=event.individual_id, legal_name=event.legal_name, jurisdiction=event.jurisdiction,
        kyc_status="approved", updated_at=envelope.occurred_at,
    )
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[known_individuals.c.id],
            set_={"kyc_status": "approved", "updated_at": envelope.occurred_at},
        )
    )


def subscriptions(runtime: ServiceRuntime) -> list[Subscription]:
    return [
        Subscription(
            [Topic.IDENTITY_INDIVIDUALS, Topic.IDENTITY_CREDENTIALS],
            {
                IndividualRegistered.EVENT_TYPE: on_individual_registered,
                IndividualApproved.EVENT_TYPE: on_individual_approved,
                **runtime.credential_subscription().handlers,
            },
        )
    ]
