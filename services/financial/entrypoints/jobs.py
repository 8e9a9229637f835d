"""Background job: the settlement deadline (§95912(i)(3)(B)), driven by the runtime's injectable clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import cast

from services.financial.adapters.unit_of_work import FinancialUnitOfWork
from services.financial.application.policy import FinancialPolicy
from services.financial.application.settlement import run_deadlines
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)


async def deadline_loop(runtime: ServiceRuntime, policy: FinancialPolicy, interval: float) -> None:
    """Every `interval` seconds, draw on the guarantees of invoices unpaid after their due date."""
    while True:
        try:
            results = await run_deadlines(lambda: cast(FinancialUnitOfWork, runtime.uow()), policy)
            for r in results:  # amounts stay out of the logs: guarantees are confidential (§95912(f))
                log.info("settlement deadline: invoice %s of auction %s is %s", r.invoice_id, r.auction_id, r.status)
        except asyncio.CancelledError:
            raise
        except Exception:  # logged; the next round tries again
            log.exception("settlement deadline job failed")
        await asyncio.sleep(interval)


def deadline_hook(policy: FinancialPolicy, interval: float) -> Callable[[ServiceRuntime], asyncio.Task[None]]:
    def start(runtime: ServiceRuntime) -> asyncio.Task[None]:
        return asyncio.create_task(deadline_loop(runtime, policy, interval), name="financial-deadlines")

    return start
