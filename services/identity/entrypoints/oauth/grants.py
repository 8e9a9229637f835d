"""The grants and endpoints of the authorization server.

- `urn:capreg:params:oauth:grant-type:mfa-login` (custom): e-mail + password + TOTP -> a new
  session (older ones end) with an access token and a rotating refresh token.
- `refresh_token`: rotation; a rotated token presented again revokes the whole family.
- `client_credentials`: machine clients registered by staff.
- `authorization_code` with PKCE (S256 required): the web portal.
- `urn:capreg:params:oauth:grant-type:step-up` (custom): access or refresh token + TOTP ->
  a short-lived access token with a fresh auth_time (acr urn:capreg:acr:step-up).
- RFC 7009 revocation, RFC 7662 introspection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import (
    InvalidRequestError,
    InvalidScopeError,
    UnauthorizedClientError,
)
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from services.identity.application import authentication as auth
from services.identity.application import authorization as authz
from services.identity.application.clients import INTROSPECT_SCOPE, MFA_LOGIN, STEP_UP
from services.identity.application.tokens import TokenSubject
from services.identity.domain.errors import Unauthenticated
from services.identity.entrypoints.oauth.models import AnyToken, AuthorizationCode, Client, RefreshToken

if TYPE_CHECKING:
    from services.identity.entrypoints.oauth.server import CapregAuthorizationServer, OAuthCall

ALL_CLIENT_AUTH = ["none", "client_secret_basic", "client_secret_post"]


class RefreshTokenReused(Unauthenticated):
    """The refresh token was already used: every token of its family is revoked."""

    code = "refresh_token_reused"


def resolve_scope(client: Client, requested: str | None) -> str:
    if not requested:
        return " ".join(sorted(client.scopes))
    wanted = set(scope_to_list(requested))
    if not wanted <= client.scopes:
        raise InvalidScopeError()
    return " ".join(sorted(wanted))


def session_fields(subject: TokenSubject) -> dict[str, Any]:
    return {"session_id": subject.session_id, "ended_sessions": subject.ended_sessions,
            "previous_sessions_ended": len(subject.ended_sessions)}


class _Calls:
    server: CapregAuthorizationServer

    @property
    def call(self) -> OAuthCall:
        return self.server.call


class _ExtensionGrant(_Calls, grants.BaseGrant, grants.TokenEndpointMixin):
    """An RFC 6749 §4.5 extension grant: the client authenticates and must be allowed the grant type."""

    GRANT_TYPE: str

    def _authenticate_client(self) -> Any:
        client = self.authenticate_token_endpoint_client()
        if not client.check_grant_type(self.GRANT_TYPE):
            raise UnauthorizedClientError(f"The client is not authorized to use 'grant_type={self.GRANT_TYPE}'")
        self.request.client = client
        return client


class MfaLoginGrant(_ExtensionGrant):
    GRANT_TYPE = MFA_LOGIN
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_CLIENT_AUTH

    def validate_token_request(self) -> None:
        client = self._authenticate_client()
        form = self.request.form
        email, password, code = form.get("username"), form.get("password"), form.get("totp")
        if not (email and password and code):
            raise InvalidRequestError("'username', 'password' and 'totp' are required")
        self.request.scope = resolve_scope(client, self.request.payload.scope)
        self.subject = self.call.run(auth.sign_in, self.call.uow, self.call.svc, email=email, password=password,
                                     code=code, client_id=client.client_id, origin=self.call.origin)

    def create_token_response(self) -> tuple[int, dict[str, Any], Any]:
        token = self.generate_token(user=self.subject, scope=self.request.scope, include_refresh_token=True)
        self.call.run(auth.store_refresh_token, self.call.uow, self.call.svc, self.subject, token["refresh_token"],
                      token["scope"])
        return 200, {**token, **session_fields(self.subject)}, self.TOKEN_RESPONSE_HEADER


class RefreshGrant(_Calls, grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_CLIENT_AUTH
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
        found = self.call.run(auth.find_refresh_token, self.call.uow, refresh_token, self.call.svc.clock.now())
        if found.reused:
            self.call.refusal = RefreshTokenReused()
        return RefreshToken(found.row) if found.row else None

    def authenticate_user(self, refresh_token: RefreshToken) -> TokenSubject:
        self.subject: TokenSubject = self.call.run(auth.refreshed_subject, self.call.uow, self.call.svc,
                                                   refresh_token.row)
        return self.subject

    def save_token(self, token: dict[str, Any]) -> None:
        self.new_token_id = self.call.run(auth.store_refresh_token, self.call.uow, self.call.svc, self.subject,
                                          token["refresh_token"], token["scope"])

    def revoke_old_credential(self, refresh_token: RefreshToken) -> None:
        self.call.run(self.call.uow.refresh_tokens.mark_used, refresh_token.row["id"], at=self.call.svc.clock.now(),
                      replaced_by=self.new_token_id)


class MachineGrant(_Calls, grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self) -> None:
        super().validate_token_request()
        self.request.scope = resolve_scope(self.request.client, self.request.payload.scope)

    def create_token_response(self) -> tuple[int, dict[str, Any], Any]:
        subject = self.call.run(auth.machine_subject, self.call.uow, self.call.svc, self.request.client.client_id)
        token = self.generate_token(user=subject, scope=self.request.scope, include_refresh_token=False)
        return 200, token, self.TOKEN_RESPONSE_HEADER


class S256Required(CodeChallenge):
    """PKCE with S256 only, and mandatory (RFC 9700 §2.1.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE is required: code_challenge with code_challenge_method=S256")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(_Calls, grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_CLIENT_AUTH

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        self.call.run(authz.store_code, self.call.uow, self.call.svc, code=code, client_id=request.client.client_id,
                      person=request.user, redirect_uri=request.payload.redirect_uri, scope=request.scope,
                      code_challenge=data.get("code_challenge"),
                      code_challenge_method=data.get("code_challenge_method"))

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        row = self.call.run(authz.find_code, self.call.uow, self.call.svc, code, client.client_id)
        return AuthorizationCode(row) if row else None

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Marked used when the session was opened (authenticate_user)."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> TokenSubject:
        self.subject: TokenSubject = self.call.run(authz.session_from_code, self.call.uow, self.call.svc,
                                                   authorization_code.row, self.call.origin)
        return self.subject

    def save_token(self, token: dict[str, Any]) -> None:
        if "refresh_token" in token:
            self.call.run(auth.store_refresh_token, self.call.uow, self.call.svc, self.subject,
                          token["refresh_token"], token["scope"])

    def create_token_response(self) -> tuple[int, dict[str, Any], Any]:
        status, body, headers = super().create_token_response()
        return status, {**body, **session_fields(self.subject)}, headers


class StepUpGrant(_ExtensionGrant):
    GRANT_TYPE = STEP_UP
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_CLIENT_AUTH

    def validate_token_request(self) -> None:
        client = self._authenticate_client()
        form = self.request.form
        if not form.get("totp"):
            raise InvalidRequestError("'totp' is required")
        self.request.scope = resolve_scope(client, self.request.payload.scope)
        self.subject = self.call.run(
            auth.step_up, self.call.uow, self.call.svc, self.call.verifier, access_token=form.get("subject_token"),
            refresh_token=form.get("refresh_token"), code=form["totp"], client_id=client.client_id,
        )

    def create_token_response(self) -> tuple[int, dict[str, Any], Any]:
        token = self.generate_token(user=self.subject, scope=self.request.scope, include_refresh_token=False)
        return 200, {**token, "session_id": self.subject.session_id}, self.TOKEN_RESPONSE_HEADER


class _TokenLookup:
    server: CapregAuthorizationServer

    def query_token(self, token_string: str, token_type_hint: str | None) -> AnyToken | None:
        call = self.server.call
        record = call.run(authz.lookup_token, call.uow, call.svc, call.verifier, token_string, token_type_hint)
        return AnyToken(record) if record else None


class Revocation(_TokenLookup, RevocationEndpoint):
    CLIENT_AUTH_METHODS = ALL_CLIENT_AUTH

    def revoke_token(self, token: AnyToken, request: Any) -> None:
        call = self.server.call
        call.run(authz.revoke_token, call.uow, call.svc, token.record)


class Introspection(_TokenLookup, IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def check_permission(self, token: AnyToken, client: Client, request: Any) -> bool:
        return INTROSPECT_SCOPE in client.scopes or token.record.client_id == client.client_id

    def introspect_token(self, token: AnyToken) -> dict[str, Any]:
        r = token.record
        body: dict[str, Any] = dict(r.claims) if r.claims else {
            "sub": r.subject, "client_id": r.client_id, "scope": r.scope, "sid": r.session_id,
            "iat": int(r.issued_at.timestamp()), "exp": int(r.expires_at.timestamp()),
            "iss": self.server.call.svc.settings.jwt_issuer,
        }
        return {"active": True, "token_type": r.token_type, **body}


def register(server: CapregAuthorizationServer) -> None:
    server.register_grant(MfaLoginGrant)
    server.register_grant(RefreshGrant)
    server.register_grant(MachineGrant)
    server.register_grant(CodeGrant, [S256Required(required=True)])
    server.register_grant(StepUpGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)
