"""Helpers shared by the registry's routers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request
from sqlalchemy.exc import DBAPIError

from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.policy import RegistryPolicy
from services.registry.domain.ledger import Spec
from services.registry.entrypoints.http.schemas import InstrumentIn
from shared.auth.dependencies import require_role

T = TypeVar("T")

staff = require_role("registrar", "accounts_administrator", "executive_officer", "market_monitor")
machine_or_staff = require_role("machine", "registrar", "accounts_administrator", "executive_officer",
                                "market_monitor")


def uow(request: Request) -> RegistryUnitOfWork:
    new = request.app.state.runtime.uow()
    assert isinstance(new, RegistryUnitOfWork)
    return new


def policy(request: Request) -> RegistryPolicy:
    value: RegistryPolicy = request.app.state.policy
    return value


def spec(instrument: InstrumentIn) -> Spec:
    return Spec(instrument.instrument_type, instrument.jurisdiction, instrument.vintage)


_RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure


async def retrying(operation: Callable[[], Awaitable[T]], attempts: int = 3) -> T:
    """Run a whole unit of work again when PostgreSQL chose it as a deadlock victim (two ledger
    transactions taking account, counter and audit locks in different orders); nothing of the failed
    attempt was committed."""
    for attempt in range(1, attempts + 1):
        try:
            return await operation()
        except DBAPIError as exc:
            code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
            if code not in _RETRYABLE or attempt == attempts:
                raise
            await asyncio.sleep(0.02 * attempt)
    raise AssertionError("unreachable")
