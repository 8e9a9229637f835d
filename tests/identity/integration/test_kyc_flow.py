"""Registration with KYC (§95834), end to end over HTTP."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.identity.adapters.orm import flags, infrastructure


def _claims(token: str) -> tuple[dict, dict]:
    header, payload, _ = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return json.loads(base64.urlsafe_b64decode(pad(header))), json.loads(base64.urlsafe_b64decode(pad(payload)))


async def test_kyc_flow_from_registration_to_an_active_individual_with_mfa_tokens(drv, registrar):
    person = await drv.active_individual(registrar)
    tokens = await drv.sign_in(person["email"], person["secret"])
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]
    header, claims = _claims(tokens["access_token"])
    assert header["alg"] == "RS256" and header["kid"]
    assert claims["iss"] == "http://identity.test" and claims["aud"] == "capreg"
    assert claims["sub"] == person["individual_id"]
    assert claims["roles"] == ["individual"]
    assert claims["amr"] == ["pwd", "otp"] and claims["acr"] == "urn:capreg:acr:mfa"
    assert {"auth_time", "jti", "iat", "exp", "scope", "sid"} <= claims.keys()
    async with drv.http(tokens["access_token"]) as client:
        me = (await client.get("/v1/me")).json()
    assert me["status"] == "active"
    async with drv.running.runtime.uow() as uow:
        types = (await uow.session.execute(select(infrastructure.outbox.c.event_type))).scalars().all()
    assert {"identity.IndividualRegistered", "identity.IndividualApproved"} <= set(types)


async def test_the_same_person_under_a_second_email_is_refused_and_flagged_to_registrars(drv, registrar):
    first = await drv.register(legal_name="Zoë O'Brien-Smith")
    number = first["request"]["government_id"]["number"]
    # the same name (differently written) and date of birth, another e-mail and another ID
    async with drv.http() as client:
        r = await client.post("/v1/registrations", json=drv.body(legal_name="ZOE  OBRIEN SMITH"))
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "duplicate_person"
        assert r.json()["error"]["details"]["matched_on"] == ["name_and_birth_date"]
        # the same ID document under another name and e-mail
        r = await client.post("/v1/registrations", json=drv.body(
            legal_name="Someone Else", government_id={"number": number.lower()}))
        assert r.status_code == 409 and r.json()["error"]["details"]["matched_on"] == ["id_document"]
    async with drv.http(registrar["access_token"]) as client:
        listed = (await client.get("/v1/flags")).json()
    mine = [f for f in listed if f["individual_id"] == first["individual_id"]]
    assert len(mine) == 2 and {f["kind"] for f in mine} == {"duplicate_person"}
    async with drv.running.runtime.uow() as uow:  # the fingerprints are keyed hashes, never the number
        rows = (await uow.session.execute(select(flags.c.details))).scalars().all()
    assert number not in json.dumps(rows)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"government_id": {"expires_on": "2001-01-01"}}, "id_document_expired"),
        ({"bank_account": {"statement_date": "2001-01-01"}}, "bank_statement_too_old"),
        ({"attestation": {"felony_conviction_within_last_5_years": True}}, "ineligible_felony_conviction"),
        ({"attestation": {"last_felony_conviction_on": "FEW_DAYS_AGO"}}, "ineligible_felony_conviction"),
        ({"password": "short"}, "weak_password"),
    ],
)
async def test_registration_refuses_ineligible_requests_with_a_clear_code(drv, changes, code):
    if changes.get("attestation", {}).get("last_felony_conviction_on") == "FEW_DAYS_AGO":
        changes = {"attestation": {"last_felony_conviction_on": str(drv.clock.now().date() - timedelta(days=400))}}
    async with drv.http() as client:
        r = await client.post("/v1/registrations", json=drv.body(**changes))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code


async def test_documents_are_judged_by_content_and_size_and_only_registrars_of_the_jurisdiction_see_them(
    drv, registrar
):
    reg = await drv.register()
    r = await drv.upload(reg, "government_id", b"MZ\x90\x00 not a pdf", "passport.pdf")
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_document_type"
    r = await drv.upload(reg, "government_id", drv.PDF + b"x" * 5000)
    assert r.status_code == 413 and r.json()["error"]["code"] == "document_too_large"
    r = await drv.upload(reg, "government_id", drv.PDF + b"x" * 200_000)  # refused while it streams
    assert r.status_code == 413 and r.json()["error"]["code"] == "document_too_large"
    r = await drv.upload(reg, "selfie", drv.PDF)
    assert r.status_code == 422
    r = await drv.upload(reg, "government_id", drv.PNG, "id.pdf")  # the name lies; the content decides
    assert r.status_code == 201 and r.json()["content_type"] == "image/png"
    document_id = r.json()["document_id"]
    r = await drv.submit(reg)
    assert r.status_code == 422 and r.json()["error"]["code"] == "missing_documents"
    assert r.json()["error"]["details"]["missing"] == ["bank_statement"]
    async with drv.http(registrar["access_token"]) as client:
        r = await client.get(f"/v1/individuals/{reg['individual_id']}/documents/{document_id}")
        assert r.status_code == 200 and r.content == drv.PNG
        assert r.headers["content-type"] == "image/png" and r.headers["x-content-type-options"] == "nosniff"
        details = (await client.get(f"/v1/individuals/{reg['individual_id']}")).json()
        assert details["id_number"] == reg["request"]["government_id"]["number"]
    quebec = await drv.staff(["registrar:QC"], jurisdiction="QC")
    async with drv.http(quebec["access_token"]) as client:
        assert (await client.get(f"/v1/individuals/{reg['individual_id']}")).status_code == 404
        assert (await client.post(f"/v1/individuals/{reg['individual_id']}/approval")).status_code == 404
    async with drv.http() as client:
        r = await client.post(f"/v1/registrations/{reg['individual_id']}/documents",
                              headers={"X-Registration-Token": "wrong-token-value"}, data={"kind": "bank_statement"},
                              files={"file": ("s.pdf", drv.PDF)})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_ticket"


async def test_a_denied_registration_carries_its_reason_and_cannot_be_activated(drv, registrar):
    reg = await drv.register()
    await drv.upload(reg, "government_id")
    await drv.upload(reg, "bank_statement")
    assert (await drv.submit(reg)).status_code == 200
    async with drv.http(registrar["access_token"]) as client:
        r = await client.post(f"/v1/individuals/{reg['individual_id']}/denial", json={"reason": "ID unreadable"})
        assert r.status_code == 200 and r.json()["status"] == "denied"
        assert r.json()["status_reason"] == "ID unreadable"
        r = await client.post(f"/v1/individuals/{reg['individual_id']}/approval")
        assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_status"
    async with drv.http() as client:
        r = await client.post(f"/v1/registrations/{reg['individual_id']}/activation",
                              headers={"X-Registration-Token": reg["registration_token"]},
                              json={"password": drv.PASSWORD})
    assert r.status_code == 401  # the registration token died with the denial
    async with drv.running.runtime.uow() as uow:
        types = (await uow.session.execute(select(infrastructure.outbox.c.event_type))).scalars().all()
    assert "identity.IndividualDenied" in types


async def test_documents_must_arrive_within_30_days_of_the_registration_request(identity_service):
    async with identity_service(run_background=False) as drv:
        late = await drv.register()
        on_time = await drv.register()
        drv.clock.advance(timedelta(days=29, hours=23))
        assert (await drv.upload(on_time, "government_id")).status_code == 201
        drv.clock.advance(timedelta(hours=2))  # §95834: 30 days from the request have passed
        r = await drv.upload(late, "government_id")
        assert r.status_code == 422 and r.json()["error"]["code"] == "document_window_closed"
        r = await drv.submit(on_time)
        assert r.status_code == 422 and r.json()["error"]["code"] == "document_window_closed"
