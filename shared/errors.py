"""One error model: domain errors carry a stable code; HTTP status mapping lives at the edge."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A refusal the user can act on. `code` is stable and documented; never change it."""

    code: ClassVar[str] = "domain_error"
    status: ClassVar[int] = 422

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.__class__.__doc__ or self.code
        self.details = details
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class NotFound(DomainError):
    """The requested resource does not exist (or is not visible to you)."""

    code = "not_found"
    status = 404


class Conflict(DomainError):
    """The request conflicts with the current state."""

    code = "conflict"
    status = 409


class InvalidInput(DomainError):
    """The request is malformed."""

    code = "invalid_input"
    status = 422


class Unauthenticated(DomainError):
    """A valid access token is required."""

    code = "unauthenticated"
    status = 401


class Forbidden(DomainError):
    """You are not allowed to do this."""

    code = "forbidden"
    status = 403


class StepUpRequired(DomainError):
    """This action needs a fresh second-factor proof (step-up authentication)."""

    code = "step_up_required"
    status = 401


class RateLimited(DomainError):
    """Too many attempts; try again later."""

    code = "rate_limited"
    status = 429
