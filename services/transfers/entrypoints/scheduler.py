"""The background job that sweeps deadlines every second (started with the runtime's background tasks)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import cast

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.common import Policy
from services.transfers.application.deadlines import SweepReport, sweep
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)


async def sweep_now(runtime: ServiceRuntime, policy: Policy) -> SweepReport:
    return await sweep(lambda: cast(TransfersUnitOfWork, runtime.uow()), runtime.clock, policy)


def deadline_sweeper(policy: Policy, interval: float) -> Callable[[ServiceRuntime], asyncio.Task[None]]:
    async def loop(runtime: ServiceRuntime) -> None:
        while True:
            try:
                report = await sweep_now(runtime, policy)
                if report.expired:
                    log.info("deadline sweep: expired %s", report.expired)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("deadline sweep failed")
            await asyncio.sleep(interval)

    def start(runtime: ServiceRuntime) -> asyncio.Task[None]:
        return asyncio.create_task(loop(runtime), name=f"{runtime.name}-deadline-sweeper")

    return start
