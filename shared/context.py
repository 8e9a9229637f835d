"""Who is acting, from which credential and address: set at the edge, read by the audit helper."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RequestContext:
    actor: str = "system"
    credential: str | None = None  # token id (jti) or client id
    ip: str | None = None
    user_agent: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None


_DEFAULT = RequestContext()
_current: ContextVar[RequestContext] = ContextVar("capreg_request_context", default=_DEFAULT)


def current_context() -> RequestContext:
    return _current.get()


def set_context(ctx: RequestContext) -> object:
    return _current.set(ctx)


def reset_context(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def update_context(**changes: object) -> None:
    _current.set(replace(_current.get(), **changes))  # type: ignore[arg-type]
