"""What every route needs: the actor, a unit of work, the clock and the policy of the running service."""

from __future__ import annotations

from typing import cast

from fastapi import Request

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.commands import Actor
from services.transfers.application.common import Policy
from shared.auth.dependencies import require_step_up
from shared.auth.principal import Principal
from shared.clock import Clock

step_up = require_step_up()


def actor_of(principal: Principal) -> Actor:
    return Actor(subject=principal.subject, roles=frozenset(principal.roles))


def uow_of(request: Request) -> TransfersUnitOfWork:
    return cast(TransfersUnitOfWork, request.app.state.runtime.uow())


def clock_of(request: Request) -> Clock:
    return cast(Clock, request.app.state.clock)


def policy_of(request: Request) -> Policy:
    return cast(Policy, request.app.state.policy)
