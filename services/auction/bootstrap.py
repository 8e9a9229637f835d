"""Composition root of the auction service; tests use it too."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from services.auction.adapters.orm import infrastructure
from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.application.policy import AuctionPolicy
from services.auction.config import Settings
from services.auction.domain.lifecycle import PurchaseLimitRates
from services.auction.entrypoints.consumers import subscriptions
from shared.clock import Clock, OffsetClock
from shared.runtime import ServiceRuntime


def policy_from(settings: Settings) -> AuctionPolicy:
    return AuctionPolicy(
        tz=ZoneInfo(settings.program_timezone),
        reserve_prices=settings.reserve_prices,
        purchase_limit_rates=PurchaseLimitRates(
            current_covered_entity=settings.purchase_limit_current_covered_entity,
            current_electrical_distribution_utility=settings.purchase_limit_current_electrical_distribution_utility,
            current_other=settings.purchase_limit_current_other,
            advance=settings.purchase_limit_advance,
        ),
        reschedule_max_days=settings.reschedule_max_days,
        max_bids_per_pool=settings.max_bids_per_pool,
        payment_method=settings.payment_method,
        auction_holding_accounts=settings.auction_holding_accounts,
    )


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    runtime = ServiceRuntime(
        settings=settings,
        tables=infrastructure,
        clock=clock or OffsetClock(timedelta(seconds=settings.clock_offset_seconds)),
        uow_class=AuctionUnitOfWork,
    )
    runtime.subscriptions = subscriptions(runtime)
    return runtime
