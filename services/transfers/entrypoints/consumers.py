"""Kafka topics -> contracts -> use cases, for the transfers service.

One subscription (one consumer group, "transfers") for the registry's accounts, entities and ledger
answers and identity's credential revocations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application import ledger
from services.transfers.application.common import Policy
from shared.contracts.registry import (
    AccountChanged,
    EntityChanged,
    InstrumentsReserved,
    MoveRecorded,
    MoveRefused,
    ReservationRefused,
    ReservationReleased,
)
from shared.contracts.topics import Topic
from shared.db.uow import SqlAlchemyUnitOfWork
from shared.messaging.consumer import Handler
from shared.messaging.envelope import Envelope
from shared.runtime import ServiceRuntime, Subscription


def _handler(contract: type[Any], apply: Callable[[Any, Envelope, TransfersUnitOfWork], Awaitable[None]]) -> Handler:
    async def handle(event: object, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        assert isinstance(event, contract)
        await apply(event, envelope, cast(TransfersUnitOfWork, uow))

    return handle


def subscriptions(runtime: ServiceRuntime, policy: Policy) -> list[Subscription]:
    handlers: dict[str, Handler] = {
        AccountChanged.EVENT_TYPE: _handler(AccountChanged, ledger.account_changed),
        EntityChanged.EVENT_TYPE: _handler(EntityChanged, ledger.entity_changed),
        InstrumentsReserved.EVENT_TYPE: _handler(InstrumentsReserved,
                                                 lambda e, _, uow: ledger.instruments_reserved(e, uow)),
        ReservationRefused.EVENT_TYPE: _handler(ReservationRefused,
                                                lambda e, _, uow: ledger.reservation_refused(e, uow)),
        ReservationReleased.EVENT_TYPE: _handler(ReservationReleased,
                                                 lambda e, _, uow: ledger.reservation_released(e, uow)),
        MoveRecorded.EVENT_TYPE: _handler(MoveRecorded, lambda e, _, uow: ledger.move_recorded(e, uow, policy)),
        MoveRefused.EVENT_TYPE: _handler(MoveRefused, lambda e, _, uow: ledger.move_refused(e, uow)),
        **runtime.credential_subscription().handlers,
    }
    topics = [Topic.REGISTRY_ACCOUNTS, Topic.REGISTRY_ENTITIES, Topic.REGISTRY_LEDGER, Topic.IDENTITY_CREDENTIALS]
    return [Subscription([str(t) for t in topics], handlers)]
