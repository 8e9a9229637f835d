"""The audit trail: who did what, when, from where; tamper-evident (hash chain)."""

from __future__ import annotations

from sqlalchemy import select, text

from capreg.tools import verify_audit
from services.identity.adapters.orm import infrastructure
from shared.audit import verify_chain


async def test_actions_are_audited_with_actor_ip_and_user_agent_and_tampering_is_found(
    identity_service, monkeypatch, capsys
):
    async with identity_service(run_background=False) as drv:
        registrar = await drv.staff(["registrar:CA"])
        person = await drv.active_individual(registrar)
        await drv.sign_in(person["email"], person["secret"])
        audit = infrastructure.audit_log
        async with drv.running.runtime.uow() as uow:
            rows = (await uow.session.execute(select(audit).order_by(audit.c.seq))).mappings().all()
            assert (await verify_chain(uow.session, audit)).intact
        actions = [r["action"] for r in rows]
        for expected in ("individual.registered", "document.uploaded", "documents.submitted", "individual.approved",
                         "individual.activated", "session.started"):
            assert expected in actions
        approved = next(r for r in rows if r["action"] == "individual.approved")
        assert approved["actor"] == registrar["id"] and approved["subject"] == person["individual_id"]
        assert approved["ip"] == "127.0.0.1" and approved["user_agent"].startswith("python-httpx")
        assert approved["credential"]  # the token id the registrar acted with

        monkeypatch.setenv("CAPREG_IDENTITY_DATABASE_URL", drv.svc.settings.database_url)
        assert await verify_audit(["identity"]) == 0
        assert "identity: intact" in capsys.readouterr().out

        victim = next(r for r in rows if r["action"] == "individual.approved")["seq"]
        async with drv.running.runtime.uow() as uow:  # someone edits history
            await uow.session.execute(text("UPDATE audit_log SET actor = 'someone-else' WHERE seq = :s"),
                                      {"s": victim})
            await uow.commit()
        async with drv.running.runtime.uow() as uow:
            report = await verify_chain(uow.session, audit)
        assert not report.intact and report.first_broken_seq == victim
        assert await verify_audit(["identity"]) == 1
        assert f"BROKEN at seq {victim}" in capsys.readouterr().out
