"""authlib's model mixins over our rows (client, refresh token, authorization code, any token)."""

from __future__ import annotations

import hmac
from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin
from authlib.oauth2.rfc6749.util import scope_to_list

from services.identity.adapters.crypto import hash_token
from services.identity.application.authorization import TokenRecord


class Client(ClientMixin):
    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.client_id: str = row["client_id"]

    @property
    def scopes(self) -> set[str]:
        return set(self.row["scopes"])

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.row["redirect_uris"]
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return " ".join(sorted(self.scopes))
        return " ".join(s for s in scope_to_list(scope) if s in self.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.row["redirect_uris"]  # exact match only

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.row["secret_hash"]
        return stored is not None and hmac.compare_digest(stored, hash_token(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.row["auth_method"] == "none":
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.row["grant_types"]

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.row["grant_types"]


class RefreshToken(TokenMixin):
    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row

    def check_client(self, client: Client) -> bool:
        return bool(self.row["client_id"] == client.client_id)

    def get_scope(self) -> str:
        return str(self.row["scope"])

    def get_expires_in(self) -> int:
        return 0

    def is_expired(self) -> bool:
        return False  # checked when the row was found

    def is_revoked(self) -> bool:
        return False


class AuthorizationCode(AuthorizationCodeMixin):
    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.code_challenge = row["code_challenge"]
        self.code_challenge_method = row["code_challenge_method"]

    def get_redirect_uri(self) -> str | None:
        return self.row["redirect_uri"]  # type: ignore[no-any-return]

    def get_scope(self) -> str:
        return str(self.row["scope"])


class AnyToken(TokenMixin):
    def __init__(self, record: TokenRecord) -> None:
        self.record = record

    def check_client(self, client: Client) -> bool:
        return self.record.client_id == client.client_id

    def get_scope(self) -> str:
        return self.record.scope

    def get_expires_in(self) -> int:
        return int((self.record.expires_at - self.record.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return self.record.expired  # an expired access token is not even found

    def is_revoked(self) -> bool:
        return self.record.revoked
