"""Kafka topics -> contracts -> use cases, for the financial service (handlers never commit)."""

from __future__ import annotations

from typing import cast

from services.financial.adapters.unit_of_work import FinancialUnitOfWork
from services.financial.application import deliveries, events, settlement
from services.financial.application.policy import FinancialPolicy
from services.financial.config import Settings
from shared.contracts.auction import (
    AuctionCancelled,
    AuctionCertified,
    AuctionScheduled,
    BidderApproved,
    BiddingWindowRescheduled,
)
from shared.contracts.base import Event
from shared.contracts.registry import AccountChanged, MoveRecorded, MoveRefused
from shared.contracts.topics import Topic
from shared.db.uow import SqlAlchemyUnitOfWork
from shared.messaging.consumer import Handler
from shared.messaging.envelope import Envelope
from shared.runtime import ServiceRuntime, Subscription


def handlers(policy: FinancialPolicy) -> dict[str, Handler]:
    async def scheduled(event: Event, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        await events.on_auction_scheduled(cast(AuctionScheduled, event), uow=cast(FinancialUnitOfWork, uow))

    async def approved(event: Event, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        await events.on_bidder_approved(cast(BidderApproved, event), uow=cast(FinancialUnitOfWork, uow))

    async def rescheduled(event: Event, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        await events.on_rescheduled(cast(BiddingWindowRescheduled, event), uow=cast(FinancialUnitOfWork, uow),
                                    policy=policy)

    async def cancelled(event: Event, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        await events.on_cancelled(cast(AuctionCancelled, event), uow=cast(FinancialUnitOfWork, uow))

    async def certified(event: Event, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        await settlement.on_certified(cast(AuctionCertified, event), uow=cast(FinancialUnitOfWork, uow), policy=policy)

    async def account_changed(event: Event, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        await events.on_account_changed(cast(AccountChanged, event), envelope, uow=cast(FinancialUnitOfWork, uow))

    async def move_recorded(event: Event, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        await deliveries.on_move_recorded(cast(MoveRecorded, event), uow=cast(FinancialUnitOfWork, uow))

    async def move_refused(event: Event, envelope: Envelope, uow: SqlAlchemyUnitOfWork) -> None:
        await deliveries.on_move_refused(cast(MoveRefused, event), uow=cast(FinancialUnitOfWork, uow))

    return {
        AuctionScheduled.EVENT_TYPE: scheduled,
        BidderApproved.EVENT_TYPE: approved,
        BiddingWindowRescheduled.EVENT_TYPE: rescheduled,
        AuctionCertified.EVENT_TYPE: certified,
        AuctionCancelled.EVENT_TYPE: cancelled,
        AccountChanged.EVENT_TYPE: account_changed,
        MoveRecorded.EVENT_TYPE: move_recorded,
        MoveRefused.EVENT_TYPE: move_refused,
    }


def subscriptions(runtime: ServiceRuntime) -> list[Subscription]:
    policy = FinancialPolicy.from_settings(cast(Settings, runtime.settings))
    return [
        Subscription(
            [Topic.AUCTION, Topic.REGISTRY_ACCOUNTS, Topic.REGISTRY_LEDGER, Topic.IDENTITY_CREDENTIALS],
            {**handlers(policy), **runtime.credential_subscription().handlers},
        )
    ]
