"""Sign-in, one session per person, lockout, rate limits, refresh rotation, step-up, sign-out."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from sqlalchemy import select

from services.identity.adapters.orm import infrastructure


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def _revocations(drv) -> list[dict]:
    outbox = infrastructure.outbox
    async with drv.running.runtime.uow() as uow:
        rows = await uow.session.execute(select(outbox.c.envelope).where(
            outbox.c.event_type == "identity.CredentialsRevoked").order_by(outbox.c.id))
        return [r["payload"] for r in rows.scalars().all()]


async def _status(drv, token: str) -> int:
    async with drv.http(token) as client:
        return (await client.get("/v1/me")).status_code


async def _refresh(drv, refresh_token: str):
    async with drv.http() as client:
        return await client.post("/v1/sessions/refresh", json={"refresh_token": refresh_token})


async def test_a_second_sign_in_ends_the_first_session_and_says_so(drv, registrar):
    person = await drv.active_individual(registrar)
    first = await drv.sign_in(person["email"], person["secret"])
    assert first["ended_sessions"] == [] and first["previous_sessions_ended"] == 0
    second = await drv.sign_in(person["email"], person["secret"])
    assert second["ended_sessions"] == [first["session_id"]]
    assert second["previous_sessions_ended"] == 1
    assert await _status(drv, first["access_token"]) == 401
    assert await _status(drv, second["access_token"]) == 200
    assert (await _refresh(drv, first["refresh_token"])).status_code == 401
    revoked = [p for p in await _revocations(drv) if p["individual_ids"] == [person["individual_id"]]]
    assert [p["reason"] for p in revoked] == ["session_replaced"]
    # every service voids tokens issued at or before revoked_before: the new token is after it
    assert _claims(second["access_token"])["iat"] > _claims(first["access_token"])["iat"]


async def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_whole_family(drv, registrar):
    person = await drv.active_individual(registrar)
    tokens = await drv.sign_in(person["email"], person["secret"])
    r = await _refresh(drv, tokens["refresh_token"])
    assert r.status_code == 200, r.text
    rotated = r.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert _claims(rotated["access_token"])["sid"] == tokens["session_id"]
    assert await _status(drv, rotated["access_token"]) == 200

    r = await _refresh(drv, tokens["refresh_token"])  # the old one again: someone copied it
    assert r.status_code == 401 and r.json()["error"]["code"] == "refresh_token_reused"
    assert (await _refresh(drv, rotated["refresh_token"])).status_code == 401
    assert await _status(drv, rotated["access_token"]) == 401
    assert await _status(drv, tokens["access_token"]) == 401
    assert "refresh_token_reuse" in [p["reason"] for p in await _revocations(drv)]
    async with drv.http() as client:  # the standard endpoint answers in RFC 6749 terms
        r = await client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": "capreg-api",
                                                    "refresh_token": rotated["refresh_token"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_step_up_gives_a_short_lived_token_with_a_fresh_auth_time(drv, registrar):
    person = await drv.active_individual(registrar)
    tokens = await drv.sign_in(person["email"], person["secret"])
    signed_in_at = _claims(tokens["access_token"])["auth_time"]
    drv.clock.advance(timedelta(minutes=4))
    code = drv.code(person["secret"])
    async with drv.http(tokens["access_token"]) as client:
        r = await client.post("/v1/step-up", json={"totp": code})
        assert r.status_code == 200, r.text
        replay = await client.post("/v1/step-up", json={"totp": code})
        assert replay.status_code == 401 and replay.json()["error"]["code"] == "invalid_credentials"
    step = _claims(r.json()["access_token"])
    assert step["acr"] == "urn:capreg:acr:step-up" and "otp" in step["amr"]
    assert step["auth_time"] >= signed_in_at + 240
    assert step["auth_time"] == int(drv.clock.now().timestamp())
    assert round(step["exp"] - step["iat"]) == 300
    assert "refresh_token" not in r.json()
    async with drv.http() as client:  # with the refresh token instead of the access token
        r = await client.post("/v1/step-up", json={"totp": drv.code(person["secret"]),
                                                   "refresh_token": tokens["refresh_token"]})
    assert r.status_code == 200, r.text
    assert await _status(drv, r.json()["access_token"]) == 200


async def test_signing_out_ends_the_session_and_its_tokens(drv, registrar):
    person = await drv.active_individual(registrar)
    tokens = await drv.sign_in(person["email"], person["secret"])
    async with drv.http(tokens["access_token"]) as client:
        assert (await client.delete("/v1/sessions/current")).status_code == 204
    assert await _status(drv, tokens["access_token"]) == 401
    assert (await _refresh(drv, tokens["refresh_token"])).status_code == 401


async def test_suspension_revokes_the_tokens_and_refuses_sign_in_until_reinstated(drv, registrar):
    person = await drv.active_individual(registrar)
    tokens = await drv.sign_in(person["email"], person["secret"])
    async with drv.http(registrar["access_token"]) as client:
        r = await client.post(f"/v1/individuals/{person['individual_id']}/suspension", json={"reason": "inquiry"})
        assert r.status_code == 200 and r.json()["status"] == "suspended"
    assert await _status(drv, tokens["access_token"]) == 401
    refused = await drv.sign_in(person["email"], person["secret"], expect=403)
    assert refused["error"]["code"] == "account_not_active"
    async with drv.http(registrar["access_token"]) as client:
        assert (await client.post(f"/v1/individuals/{person['individual_id']}/reinstatement")).status_code == 200
    await drv.sign_in(person["email"], person["secret"])
    outbox = infrastructure.outbox
    async with drv.running.runtime.uow() as uow:
        types = set((await uow.session.execute(select(outbox.c.event_type))).scalars().all())
    assert {"identity.IndividualSuspended", "identity.IndividualReinstated"} <= types


async def test_five_failed_attempts_lock_the_account_for_fifteen_minutes(identity_service):
    async with identity_service(run_background=False) as drv:
        registrar = await drv.staff(["registrar:CA"])
        person = await drv.active_individual(registrar)
        for _ in range(4):
            r = await drv.sign_in(person["email"], person["secret"], password="wrong password!!", expect=401)
            assert r["error"]["code"] == "invalid_credentials"
        r = await drv.sign_in(person["email"], person["secret"], password="wrong password!!", expect=423)
        assert r["error"]["code"] == "account_locked"
        r = await drv.sign_in(person["email"], person["secret"], expect=423)  # even the right password
        drv.clock.advance(timedelta(minutes=15))
        await drv.sign_in(person["email"], person["secret"])
        # a wrong one-time code counts as well
        drv.clock.advance(timedelta(minutes=1))
        for _ in range(5):
            async with drv.http() as client:
                r = await client.post("/v1/sessions", json={"email": person["email"], "password": drv.PASSWORD,
                                                            "totp": "000000"})
        assert r.status_code == 423


async def test_sign_in_and_registration_are_rate_limited_per_account_and_per_ip(identity_service):
    async with identity_service(run_background=False, login_account_limit=3, login_ip_limit=5,
                                registration_ip_limit=2) as drv:
        wrong = {"password": "not the password", "totp": "123456"}
        async with drv.http() as client:
            codes = [(await client.post("/v1/sessions", json={"email": "a@example.org", **wrong})).status_code
                     for _ in range(4)]
            assert codes == [401, 401, 401, 429]
            r = await client.post("/v1/sessions", json={"email": "b@example.org", **wrong})
            assert r.status_code == 401
            r = await client.post("/v1/sessions", json={"email": "c@example.org", **wrong})
            assert r.status_code == 429 and r.json()["error"]["details"]["scope"] == "ip"
            assert r.json()["error"]["details"]["retry_after_seconds"] > 0
            statuses = [(await client.post("/v1/registrations", json=drv.body())).status_code for _ in range(3)]
            assert statuses == [201, 201, 429]
        drv.clock.advance(timedelta(seconds=61))  # a new window
        async with drv.http() as client:
            r = await client.post("/v1/sessions", json={"email": "a@example.org", **wrong})
        assert r.status_code == 401
