"""An ID that expires after registration (§95834: a valid expiry date) stops token issuance until renewed."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from services.identity.adapters.orm import infrastructure


async def test_an_expired_id_stops_sign_in_until_a_registrar_approves_the_renewal(identity_service):
    async with identity_service(run_background=False) as drv:
        today = drv.clock.now().date()
        registrar = await drv.staff(["registrar:CA"])
        person = await drv.active_individual(registrar, government_id={"expires_on": str(today + timedelta(days=40))})
        # an hour before the expiry date begins in California, then two hours later
        expiry = datetime.combine(today + timedelta(days=40), time(0), ZoneInfo("America/Los_Angeles"))
        drv.clock.set(expiry - timedelta(hours=1))
        tokens = await drv.sign_in(person["email"], person["secret"])
        drv.clock.advance(timedelta(hours=2))

        refused = await drv.sign_in(person["email"], person["secret"], expect=403)
        assert refused["error"]["code"] == "id_expired"
        async with drv.http() as client:  # refresh is token issuance too
            r = await client.post("/v1/sessions/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert r.status_code == 403 and r.json()["error"]["code"] == "id_expired"

        new_id = {"id_type": "passport", "id_number": "N12345678", "id_issuer": "U.S. Department of State",
                  "id_expires_on": str(today + timedelta(days=3650))}
        async with drv.http() as client:
            r = await client.post("/v1/id-renewals", data={"email": person["email"], "password": drv.PASSWORD,
                                                           "totp": drv.code(person["secret"]), **new_id},
                                  files={"file": ("passport.pdf", drv.PDF)})
        assert r.status_code == 201, r.text
        renewal_id = r.json()["renewal_id"]
        await drv.sign_in(person["email"], person["secret"], expect=403)  # pending review

        registrar = await drv.sign_in(registrar["email"], registrar["secret"])  # its token expired too
        async with drv.http(registrar["access_token"]) as client:
            r = await client.post(f"/v1/individuals/{person['individual_id']}/id-renewals/{renewal_id}/approval")
        assert r.status_code == 200, r.text
        await drv.sign_in(person["email"], person["secret"])

        async with drv.running.runtime.uow() as uow:
            approvals = (await uow.session.execute(select(infrastructure.outbox.c.envelope).where(
                infrastructure.outbox.c.event_type == "identity.IndividualApproved"))).scalars().all()
        assert approvals[-1]["payload"]["id_expires_on"] == new_id["id_expires_on"]

        # another person cannot renew with this ID: one person, one credential
        other = await drv.active_individual(registrar)
        async with drv.http() as client:
            r = await client.post("/v1/id-renewals", data={"email": other["email"], "password": drv.PASSWORD,
                                                           "totp": drv.code(other["secret"]), **new_id},
                                  files={"file": ("passport.pdf", drv.PDF)})
        assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_person"


async def test_an_id_that_expired_while_under_review_cannot_be_approved(identity_service):
    async with identity_service(run_background=False) as drv:
        today = drv.clock.now().date()
        reg = await drv.register(government_id={"expires_on": str(today + timedelta(days=10))})
        await drv.upload(reg, "government_id")
        await drv.upload(reg, "bank_statement")
        assert (await drv.submit(reg)).status_code == 200
        drv.clock.advance(timedelta(days=11))
        registrar = await drv.staff(["registrar:CA"])
        async with drv.http(registrar["access_token"]) as client:
            r = await client.post(f"/v1/individuals/{reg['individual_id']}/approval")
        assert r.status_code == 422 and r.json()["error"]["code"] == "id_document_expired"
