"""The OAuth 2 server: discovery, JWKS, client credentials, introspection, revocation, PKCE code flow,
staff roles."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

PORTAL = {"client_id": "capreg-portal", "redirect_uri": "http://127.0.0.1:8100/callback"}


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


@pytest.fixture(scope="module")
async def officer_person(drv):
    return await drv.staff(["executive_officer:CA", "registrar:CA"])


@pytest.fixture
async def officer(drv, officer_person):
    return {**officer_person, **await drv.sign_in(officer_person["email"], officer_person["secret"])}


async def test_discovery_and_jwks_describe_the_authorization_server(drv):
    async with drv.http() as client:
        meta = (await client.get("/.well-known/openid-configuration")).json()
        jwks = (await client.get("/.well-known/jwks.json")).json()
    assert meta["issuer"] == drv.ISSUER
    assert meta["jwks_uri"].endswith("/.well-known/jwks.json")
    assert {"client_credentials", "refresh_token", "authorization_code",
            "urn:capreg:params:oauth:grant-type:mfa-login"} <= set(meta["grant_types_supported"])
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert jwks["keys"] and all(k["kty"] == "RSA" and "d" not in k and k["kid"] for k in jwks["keys"])


async def test_a_machine_client_gets_a_scoped_token_that_introspection_and_revocation_handle(drv, officer, registrar):
    async with drv.http(officer["access_token"]) as client:
        r = await client.post("/v1/clients", json={"client_id": "qc-linkage-feed", "name": "Québec linkage feed",
                                                   "scopes": ["linkage:feed", "identity:introspect"],
                                                   "jurisdiction": "CA"})
    assert r.status_code == 201, r.text
    secret = r.json()["client_secret"]
    auth = _basic("qc-linkage-feed", secret)
    async with drv.http() as client:
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "linkage:feed"},
                              headers=auth)
        assert r.status_code == 200, r.text
        machine = r.json()["access_token"]
        claims = _claims(machine)
        assert claims["sub"] == "client:qc-linkage-feed" and claims["roles"] == ["machine"]
        assert claims["scope"] == "linkage:feed" and "refresh_token" not in r.json()
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "registry:admin"},
                              headers=auth)
        assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                              headers=_basic("qc-linkage-feed", "wrong"))
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"

        # introspection (RFC 7662) of an individual's tokens by a client allowed to introspect
        r = await client.post("/oauth/introspect", data={"token": registrar["access_token"]}, headers=auth)
        body = r.json()
        assert body["active"] is True and body["sub"] == registrar["id"] and body["token_type"] == "access_token"
        r = await client.post("/oauth/introspect", data={"token": registrar["refresh_token"]}, headers=auth)
        assert r.json()["active"] is True and r.json()["token_type"] == "refresh_token"
        r = await client.post("/oauth/introspect", data={"token": "garbage"}, headers=auth)
        assert r.json() == {"active": False}

        # revocation (RFC 7009) of the machine's own token
        r = await client.post("/oauth/revoke", data={"token": machine, "token_type_hint": "access_token"}, headers=auth)
        assert r.status_code == 200
        r = await client.post("/oauth/introspect", data={"token": machine}, headers=auth)
        assert r.json() == {"active": False}
    async with drv.http(registrar["access_token"]) as client:  # a registrar may not register clients
        r = await client.post("/v1/clients", json={"client_id": "ops-tool", "name": "Ops tool", "jurisdiction": "CA"})
        assert r.status_code == 403
    async with drv.http(officer["access_token"]) as client:
        listed = (await client.get("/v1/clients")).json()
        assert [c["client_id"] for c in listed] == ["qc-linkage-feed"] and "secret_hash" not in listed[0]
        assert (await client.delete("/v1/clients/qc-linkage-feed")).status_code == 204
    async with drv.http() as client:
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=auth)
    assert r.status_code == 401


async def test_the_portal_signs_in_with_the_authorization_code_flow_and_pkce(drv, registrar):
    person = await drv.active_individual(registrar)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode({**PORTAL, "response_type": "code", "scope": "capreg", "state": "st4te",
                       "code_challenge": challenge, "code_challenge_method": "S256"})
    async with drv.http() as client:
        page = await client.get(f"/oauth/authorize?{query}")
        assert page.status_code == 200 and "<form" in page.text
        assert page.headers["x-frame-options"] == "DENY"
        wrong = await client.post(f"/oauth/authorize?{query}", data={"email": person["email"],
                                                                      "password": "nope nope nope", "totp": "123456"})
        assert wrong.status_code == 401 and "wrong" in wrong.text
        r = await client.post(f"/oauth/authorize?{query}", data={"email": person["email"], "password": drv.PASSWORD,
                                                                  "totp": drv.code(person["secret"])})
        assert r.status_code == 302, r.text
        location = urlsplit(r.headers["location"])
        params = parse_qs(location.query)
        assert location.path == "/callback" and params["state"] == ["st4te"]
        exchange = {"grant_type": "authorization_code", "code": params["code"][0], **PORTAL}
        r = await client.post("/oauth/token", data={**exchange, "code_verifier": "x" * 50})
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
        r = await client.post("/oauth/token", data={**exchange, "code_verifier": verifier})
        assert r.status_code == 200, r.text
        tokens = r.json()
        assert _claims(tokens["access_token"])["sub"] == person["individual_id"]
        assert tokens["refresh_token"] and tokens["session_id"]
        r = await client.post("/oauth/token", data={**exchange, "code_verifier": verifier})  # a code works once
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
        assert (await client.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
                ).status_code == 401  # ... and its reuse revoked what it produced
        no_pkce = urlencode({**PORTAL, "response_type": "code", "state": "s"})
        r = await client.get(f"/oauth/authorize?{no_pkce}")
        assert r.status_code == 302 and "error=invalid_request" in r.headers["location"]
        evil = urlencode({**PORTAL, "redirect_uri": "https://evil.example/cb", "response_type": "code"})
        r = await client.get(f"/oauth/authorize?{evil}")
        assert r.status_code == 400  # never redirected to an unregistered URI


async def test_staff_roles_are_granted_by_the_executive_officer_and_a_removal_takes_effect_at_once(drv, officer):
    async with drv.http(officer["access_token"]) as client:
        r = await client.post("/v1/staff", json={"email": "new.registrar@ca.gov.example", "legal_name": "Nia New",
                                                 "jurisdiction": "CA", "roles": ["registrar:CA"]})
        assert r.status_code == 201, r.text
        created = r.json()
        r = await client.post("/v1/staff", json={"email": "x@qc.gov.example", "legal_name": "Xavier X",
                                                 "jurisdiction": "QC", "roles": ["registrar:QC"]})
        assert r.status_code == 403  # a CA officer does not staff Québec
    ticket = created["enrolment"]["ticket"]
    async with drv.http() as client:
        r = await client.post("/v1/credential-resets", json={"email": "new.registrar@ca.gov.example",
                                                             "ticket": ticket, "new_password": drv.PASSWORD})
        assert r.status_code == 200, r.text
        secret = r.json()["totp_secret"]
        r = await client.post("/v1/credential-resets/confirmation", json={
            "email": "new.registrar@ca.gov.example", "ticket": ticket, "totp": drv.code(secret)})
        assert r.status_code == 200, r.text
    tokens = await drv.sign_in("new.registrar@ca.gov.example", secret)
    assert _claims(tokens["access_token"])["roles"] == ["registrar:CA"]
    staff_id = created["individual_id"]
    async with drv.http(officer["access_token"]) as client:
        r = await client.post(f"/v1/staff/{staff_id}/roles", json={"role": "auction_administrator",
                                                                   "jurisdiction": "CA"})
        assert r.json()["roles"] == ["auction_administrator:CA", "registrar:CA"]
        r = await client.delete(f"/v1/staff/{staff_id}/roles/registrar/CA")
        assert r.status_code == 200 and r.json()["roles"] == ["auction_administrator:CA"]
    async with drv.http(tokens["access_token"]) as client:
        assert (await client.get("/v1/me")).status_code == 401
    again = await drv.sign_in("new.registrar@ca.gov.example", secret)
    assert _claims(again["access_token"])["roles"] == ["auction_administrator:CA"]


async def test_the_bootstrap_endpoint_needs_the_configured_secret(drv):
    body = {"email": "first.eo@qc.gov.example", "legal_name": "Première Officer", "jurisdiction": "QC",
            "roles": ["executive_officer:QC"]}
    async with drv.http() as client:
        r = await client.post("/v1/ops/bootstrap/staff", json=body, headers={"X-Bootstrap-Secret": "guess"})
        assert r.status_code == 401
        r = await client.post("/v1/ops/bootstrap/staff", json=body,
                              headers={"X-Bootstrap-Secret": "test-bootstrap-secret"})
    assert r.status_code == 201 and r.json()["enrolment"]["purpose"] == "enrolment"


async def test_the_operators_command_publishes_a_new_key_that_signs_only_after_the_lead_time(drv):
    from services.identity.seed import rotate_key

    rotated = await rotate_key(drv.svc.settings, lead_seconds=600)
    async with drv.http() as client:
        keys = (await client.get("/v1/ops/keys", headers={"X-Bootstrap-Secret": "test-bootstrap-secret"})).json()
        published = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert {k["kid"]: k["state"] for k in keys}[rotated["kid"]] == "pending"
    assert rotated["kid"] in published
    async with drv.http() as client:
        assert (await client.get("/v1/ops/keys")).status_code == 401  # operators only
