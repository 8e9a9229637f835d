"""The portal over real HTTP against stand-in services: security headers, CSRF, PKCE, French, errors."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlparse

from services.portal import i18n
from services.portal.session import CookieSealer, jwt_claims


async def test_every_page_carries_a_strict_content_security_policy_and_denies_framing(kit):
    async with kit.portal_with_stub() as (portal, _), kit.browser(portal) as client:
        r = await client.get("/")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert "<script>" not in r.text and 'src="/static/htmx.min.js"' in r.text


async def test_a_form_post_without_the_csrf_token_is_refused(kit):
    async with kit.portal_with_stub() as (portal, _), kit.browser(portal) as client:
        await client.get("/register")  # sets the CSRF cookie
        r = await client.post("/register", data={"legal_name": "Mallory"})
        assert r.status_code == 403
        assert 'role="alert"' in r.text
        wrong = await client.post("/register", data={"legal_name": "Mallory", "csrf_token": "forged.value"})
        assert wrong.status_code == 403


async def test_a_csrf_token_from_another_browser_is_refused(kit):
    async with kit.portal_with_stub() as (portal, _), kit.browser(portal) as first, kit.browser(portal) as second:
        token = kit.csrf_token((await first.get("/register")).text)
        await second.get("/register")
        r = await second.post("/register", data={"csrf_token": token, "legal_name": "Mallory"})
    assert r.status_code == 403


async def test_sign_in_redirects_to_identity_with_pkce_s256_and_state(kit):
    async with kit.portal_with_stub() as (portal, stub), kit.browser(portal) as client:
        r = await client.get("/signin", params={"next": "/transfers"})
    assert r.status_code == 303
    target = urlparse(r.headers["location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{stub.url}/oauth/authorize"
    assert query["response_type"] == "code" and query["client_id"] == "capreg-portal"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43 and query["state"]
    assert query["redirect_uri"] == "http://127.0.0.1:8100/callback"
    cookie = r.headers["set-cookie"]
    assert "capreg_signin=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    # the verifier stays in the encrypted cookie and matches the challenge
    sealed = cookie.split("capreg_signin=")[1].split(";")[0].strip('"')
    pending = CookieSealer(b"dev-only-portal-cookie-secret-change-me").open("signin", sealed, 600)
    assert pending is not None and pending["next"] == "/transfers"
    digest = base64.urlsafe_b64encode(hashlib.sha256(pending["verifier"].encode()).digest()).rstrip(b"=").decode()
    assert digest == query["code_challenge"]


async def test_a_callback_with_a_forged_state_does_not_sign_in(kit):
    async with kit.portal_with_stub() as (portal, _), kit.browser(portal) as client:
        await client.get("/signin")
        r = await client.get("/callback", params={"code": "abc", "state": "forged"})
    assert r.status_code == 400 and "state mismatch" in r.text
    assert "capreg_session" not in r.headers.get("set-cookie", "")


async def test_pages_render_in_french_from_accept_language_and_from_the_cookie(kit):
    async with kit.portal_with_stub() as (portal, _):
        async with kit.browser(portal, **{"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}) as client:
            r = await client.get("/register")
        assert '<html lang="fr">' in r.text and "Inscription d'un utilisateur" in r.text.replace("&#39;", "'")
        async with kit.browser(portal) as client:
            token = kit.csrf_token((await client.get("/")).text)
            switched = await client.post("/language", data={"csrf_token": token, "locale": "fr", "next": "/register"})
            assert switched.status_code == 303 and switched.headers["location"] == "/register"
            r = await client.get("/register")
        assert '<html lang="fr">' in r.text and "Courriel" in r.text


async def test_an_error_of_a_service_is_shown_as_its_message(kit):
    async with kit.portal_with_stub() as (portal, _), kit.browser(portal) as client:
        token = kit.csrf_token((await client.get("/register")).text)
        form = {"csrf_token": token, "legal_name": "Ada Lovelace", "email": "ada@example.org", "phone": "+1 415 555",
                "date_of_birth": "1985-12-10", "jurisdiction": "CA", "line1": "1 Market St", "city": "SF",
                "region": "CA", "postal_code": "94105", "country": "US", "id_type": "passport",
                "id_number": "X123", "id_issuer": "State", "id_expires_on": "2030-01-01", "bank_name": "Bank",
                "statement_date": "2026-01-01", "truthful": "yes", "password": "x" * 12}
        r = await client.post("/register", data=form)
    assert r.status_code == 409
    assert 'role="alert"' in r.text and "This person is already registered (duplicate_person)" in r.text
    assert 'value="Ada Lovelace"' in r.text and "xxxxxxxxxxxx" not in r.text  # kept input, never the password


async def test_pages_that_need_a_person_redirect_to_sign_in(kit):
    async with kit.portal_with_stub() as (portal, _), kit.browser(portal) as client:
        r = await client.get("/transfers")
        staff = await client.get("/staff/kyc")
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=%2Ftransfers"
    assert staff.status_code == 303


async def test_readiness_follows_the_identity_service(kit):
    async with kit.portal_with_stub() as (portal, _), kit.browser(portal) as client:
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/healthz")).json()["service"] == "portal"


def test_locale_negotiation_prefers_the_cookie_then_the_best_weighted_language():
    assert i18n.negotiate("fr", "en") == "fr"
    assert i18n.negotiate(None, "de-DE, fr-CA;q=0.8, en;q=0.5") == "fr"
    assert i18n.negotiate(None, "es") == "en"
    assert i18n.translate("nav.sign_in", "fr") == "Se connecter"
    assert i18n.translate("home.welcome", "fr", name="Zoé") == "Bienvenue, Zoé"
    assert set(i18n.CATALOGS["en"]) == set(i18n.CATALOGS["fr"])


def test_the_session_cookie_cannot_be_read_or_forged_without_the_secret():
    sealer = CookieSealer(b"secret-one")
    sealed = sealer.seal("session", {"at": "token"})
    assert "token" not in sealed
    assert sealer.open("session", sealed, 60) == {"at": "token"}
    assert CookieSealer(b"secret-two").open("session", sealed, 60) is None
    assert sealer.open("registration", sealed, 60) is None  # a key per purpose
    assert jwt_claims("not-a-jwt") == {}


def test_navigation_shows_only_what_the_roles_allow():
    from services.portal.session import User
    from services.portal.templating import navigation

    def links(*roles: str) -> set[str]:
        user = User(individual_id="p", name="P", roles=frozenset(roles), access_token="a", refresh_token="r")
        return {href for href, _ in navigation(user)}

    representative = links("individual")
    assert {"/accounts", "/transfers", "/notifications", "/auctions", "/financial"} <= representative
    assert not any(h.startswith("/staff") for h in representative)
    registrar = links("registrar:CA")
    assert {"/staff/kyc", "/staff/entities", "/staff/representative-requests"} <= registrar
    assert "/staff/transfers" not in registrar and "/accounts" not in registrar
    officer = links("executive_officer:QC")
    assert {"/staff/transfers", "/staff/restrictions"} <= officer and "/staff/kyc" not in officer
    assert "/staff/settlement" in links("financial_services_administrator:CA")
    assert {href for href, _ in navigation(None)} == {"/", "/register"}
