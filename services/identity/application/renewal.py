"""Renewal of an expired (or expiring) government-issued ID (§95834: a valid expiry date).

A person whose ID has expired cannot obtain tokens; they submit the new ID with their password
and one-time code, a registrar of their jurisdiction checks the document and approves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.identity.adapters.crypto import new_id
from services.identity.adapters.unit_of_work import IdentityUnitOfWork
from services.identity.application.authentication import Origin, limit_sign_in, verify_sign_in
from services.identity.application.registration import Fingerprint, fingerprint, refuse_duplicate
from services.identity.application.review import person_for_registrar
from services.identity.application.services import IdentityServices
from services.identity.domain.documents import check_document, safe_filename
from services.identity.domain.errors import DomainError, InvalidInput, InvalidStatus, NotFound
from services.identity.domain.model import GovernmentId, check_government_id, local_date
from services.identity.domain.person import mask_id_number
from shared.auth.principal import Principal
from shared.contracts.identity import IndividualApproved


@dataclass(frozen=True)
class RenewalRequest:
    email: str
    password: str
    totp: str
    government_id: GovernmentId
    document: bytes
    filename: str | None


async def submit_renewal(req: RenewalRequest, *, uow: IdentityUnitOfWork, svc: IdentityServices,
                         origin: Origin) -> dict[str, Any]:
    await limit_sign_in(svc, req.email, origin)
    content_type = check_document(req.document, svc.settings.max_document_bytes)
    now = svc.clock.now()
    async with uow:
        try:
            person, _ = await verify_sign_in(uow, svc, email=req.email, password=req.password, code=req.totp,
                                             now=now, allow_expired_id=True)
        except DomainError:
            await uow.commit()  # failed attempts count towards the lockout
            raise
        check_government_id(req.government_id, local_date(now, person.jurisdiction))
        row = await uow.individuals.row(person.id)
        assert row is not None
        fp = fingerprint(svc, person.legal_name, row["date_of_birth"], req.government_id.number,
                         req.government_id.issuer)
        await uow.individuals.lock_fingerprints(fp.document_key)
        # the new document must not belong to someone else (§95834: one person, one credential)
        await refuse_duplicate(uow, svc, Fingerprint(person_key="", document_key=fp.document_key),
                               jurisdiction=person.jurisdiction, exclude=person.id,
                               attempt={"renewal_by": person.id, "at": now.isoformat()})
        renewal_id = new_id("ren")
        gid = req.government_id
        await uow.renewals.add(id=renewal_id, individual_id=person.id, id_type=gid.id_type,
                               id_number_enc=svc.box.seal(gid.number, f"id:{person.id}"),
                               id_number_masked=mask_id_number(gid.number), id_issuer=gid.issuer,
                               id_expires_on=gid.expires_on, document_key=fp.document_key, status="pending",
                               submitted_at=now)
        digest = hashlib.sha256(req.document).hexdigest()
        document_id = new_id("doc")
        await uow.documents.add(id=document_id, individual_id=person.id, kind="government_id",
                                content_type=content_type, size_bytes=len(req.document), sha256=digest,
                                content=req.document, original_filename=safe_filename(req.filename),
                                renewal_id=renewal_id, uploaded_at=now)
        await uow.audit("id_renewal.submitted", person.id, {"renewal_id": renewal_id, "document_id": document_id},
                        actor=person.id)
        await uow.commit()
    return {"renewal_id": renewal_id, "individual_id": person.id, "status": "pending", "document_id": document_id}


async def decide_renewal(individual_id: str, renewal_id: str, *, approve: bool, reason: str | None,
                         principal: Principal, uow: IdentityUnitOfWork, svc: IdentityServices) -> dict[str, Any]:
    now = svc.clock.now()
    async with uow:
        person = await person_for_registrar(uow, individual_id, principal)
        renewal = await uow.renewals.get(renewal_id, individual_id)
        if renewal is None:
            raise NotFound("no such renewal")
        if renewal["status"] != "pending":
            raise InvalidStatus("the renewal was already decided", status=renewal["status"])
        if principal.subject == individual_id:
            raise InvalidInput("a registrar cannot decide their own renewal")
        if not approve:
            await uow.renewals.decide(renewal_id, status="denied", by=principal.subject, at=now, reason=reason)
            await uow.audit("id_renewal.denied", individual_id, {"renewal_id": renewal_id, "reason": reason})
            await uow.commit()
            return {"renewal_id": renewal_id, "status": "denied"}
        expires_on: date = renewal["id_expires_on"]
        person.renew_id(expires_on, now)
        await uow.individuals.save(
            person, id_type=renewal["id_type"], id_number_enc=renewal["id_number_enc"],
            id_number_masked=renewal["id_number_masked"], id_issuer=renewal["id_issuer"],
            document_key=renewal["document_key"],
        )
        await uow.renewals.decide(renewal_id, status="approved", by=principal.subject, at=now, reason=reason)
        # consumers keep the KYC state: the same person, approved again with a new expiry date
        await uow.publish(IndividualApproved(individual_id=person.id, legal_name=person.legal_name,
                                             jurisdiction=person.jurisdiction, approved_by=principal.subject,
                                             approved_at=now, id_expires_on=expires_on))
        await uow.audit("id_renewal.approved", individual_id, {"renewal_id": renewal_id,
                                                                "id_expires_on": expires_on.isoformat()})
        await uow.commit()
    return {"renewal_id": renewal_id, "status": "approved", "id_expires_on": expires_on}
