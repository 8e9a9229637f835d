"""authlib's AuthorizationServer behind an async (Starlette) edge.

Authlib 1.9's core is synchronous and has no Starlette integration. Each OAuth request runs the
authlib core in a worker thread (`anyio.to_thread`); whenever the core needs data (a client, a
refresh token, a sign-in check) it calls back into the event loop with `anyio.from_thread.run`,
where the use cases run on the request's one unit of work (AsyncSession + outbox + audit).
The loop is never blocked, the thread never touches the database itself, and the whole request
is one transaction, committed by the route after authlib returns.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio.from_thread
from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Payload, OAuth2Request

from services.identity.adapters.crypto import new_token
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.authentication import Origin
from services.identity.application.services import IdentityServices
from services.identity.application.tokens import TokenSubject, access_token_claims
from services.identity.application.verification import LocalVerifier
from services.identity.domain.errors import DomainError

T = TypeVar("T")


@dataclass
class OAuthCall:
    """Everything one OAuth request needs, handed to the worker thread."""

    uow: IdentityUnitOfWork
    svc: IdentityServices
    verifier: LocalVerifier
    origin: Origin
    refusal: DomainError | None = None  # a refusal to report after the transaction committed
    subject: TokenSubject | None = None  # the last token subject signed in this call
    extra: dict[str, Any] = field(default_factory=dict)

    def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """From the worker thread: run an async use case on the event loop and wait for it."""
        return anyio.from_thread.run(functools.partial(fn, *args, **kwargs))  # type: ignore[arg-type]


class Payload(OAuth2Payload):
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._data: dict[str, str] = {}
        self._datalist: dict[str, list[str]] = {}
        for key, value in items:
            self._data.setdefault(key, value)
            self._datalist.setdefault(key, []).append(value)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:  # type: ignore[override]
        return self._datalist


class HttpRequest(OAuth2Request):
    """The adapter: an already-read Starlette request as authlib's OAuth2Request."""

    def __init__(self, method: str, uri: str, headers: Any, query: list[tuple[str, str]],
                 form: list[tuple[str, str]]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = Payload([*query, *form])
        self._args = dict(query)
        self._form = dict(form)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class CapregAuthorizationServer(AuthorizationServer):
    """One instance per request (cheap): it carries the request's OAuthCall."""

    def __init__(self, call: OAuthCall) -> None:
        super().__init__(scopes_supported=None)
        self.call = call
        self.register_token_generator("default", self._generate_token)
        from services.identity.entrypoints.oauth import grants

        grants.register(self)

    # -- authlib hooks ------------------------------------------------------------------------
    def query_client(self, client_id: str) -> Any:
        from services.identity.entrypoints.oauth.models import Client

        row = self.call.run(self.call.uow.clients.get, client_id)
        if row is None or row["revoked_at"] is not None:
            return None
        return Client(row)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Each grant stores what it issues itself (see grants.py)."""

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        assert isinstance(request, OAuth2Request)
        return request

    def create_json_request(self, request: Any) -> Any:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, list(headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals: auditing happens in the use cases."""

    # -- tokens -----------------------------------------------------------------------------------
    def _generate_token(self, grant_type: str, client: Any, user: TokenSubject | None = None, scope: str | None = None,
                        expires_in: int | None = None, include_refresh_token: bool = True) -> dict[str, Any]:
        assert isinstance(user, TokenSubject), "every grant passes a TokenSubject"
        svc = self.call.svc
        if not svc.keyring.is_fresh():
            self.call.run(svc.keyring.ensure_fresh)
        claims = access_token_claims(user, scope=scope or "", issuer=svc.settings.jwt_issuer,
                                     audience=svc.settings.jwt_audience)
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": svc.keyring.sign(claims, svc.clock.now()),
            "expires_in": user.ttl_seconds,
            "scope": scope or "",
        }
        if include_refresh_token and user.session_id:
            token["refresh_token"] = new_token(48)
        self.call.subject = user
        return token
