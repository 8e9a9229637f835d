"""Documentation requests (§95921(c)): the Executive Officer asks, the party uploads within five days
(ten calendar days for an exchange clearing account holder, §95921(h)(1)). Confidential ((c)(2)):
only the Executive Officer (and market monitor) of the jurisdiction and the addressed party see them."""

from __future__ import annotations

import hashlib
from typing import Any

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.commands import Actor, RequestDocumentation, UploadDocument
from services.transfers.application.common import Policy, describe, eo_of, new_id, notify
from services.transfers.domain.errors import (
    DocumentTooLarge,
    InvalidInput,
    NotARepresentative,
    NotExecutiveOfficer,
    NotFound,
    TransferNotFound,
)
from services.transfers.domain.oversight import documentation_due
from services.transfers.domain.parties import EXCHANGE_CLEARING
from shared.clock import Clock
from shared.contracts.transfers import DocumentationRequested

OVERSIGHT_ROLES = ("executive_officer", "market_monitor")


async def request_documentation(cmd: RequestDocumentation, *, uow: TransfersUnitOfWork,
                                clock: Clock) -> dict[str, Any]:
    if cmd.party not in ("source", "destination") or not cmd.description.strip():
        raise InvalidInput("party (source or destination) and a description are required")
    async with uow:
        t = await uow.transfers.get(cmd.transfer_id)
        if t is None:
            raise TransferNotFound(transfer_id=cmd.transfer_id)
        if not cmd.actor.has_role("executive_officer", t.jurisdiction):
            raise NotExecutiveOfficer(jurisdiction=t.jurisdiction)
        now = clock.now()
        account = t.source_account if cmd.party == "source" else t.destination_account
        account_type = t.source_account_type if cmd.party == "source" else t.destination_account_type
        request_id = new_id("doc")
        due = documentation_due(now, clearing_account_holder=account_type == EXCHANGE_CLEARING)
        values: dict[str, Any] = {
            "id": request_id, "transfer_id": t.id, "party": cmd.party, "account_number": account,
            "description": cmd.description, "requested_by": cmd.actor.subject, "requested_at": now,
            "due_at": due, "status": "open",
        }
        await uow.oversight.add_documentation_request(values)
        await uow.publish(DocumentationRequested(transfer_id=t.id, request_id=request_id,
                                                 party=cmd.party, due_at=due))  # type: ignore[arg-type]
        recipients = await _party_people(uow, account)
        await notify(uow, transfer_id=t.id, kind="documentation.requested", recipients=recipients,
                     message=f"the Executive Officer requests documentation about {describe(t)}: {cmd.description}. "
                             f"Upload it by {due.isoformat()} (request {request_id}, §95921(c))")
        await uow.audit("documentation.requested", request_id, {"transfer_id": t.id, "party": cmd.party,
                                                                "due_at": due})
        await uow.commit()
    return values


async def _party_people(uow: TransfersUnitOfWork, account_number: str) -> list[str]:
    """The representatives of the addressed account's entity (all its accounts)."""
    account = await uow.projections.account(account_number)
    if account is None:
        return []
    people = set(account.actors())
    for other in await uow.projections.accounts_of_entity(account.entity_id):
        people.update(other.actors())
    return sorted(people)


async def upload_document(cmd: UploadDocument, *, uow: TransfersUnitOfWork, clock: Clock,
                          policy: Policy) -> dict[str, Any]:
    if len(cmd.content) > policy.document_max_bytes:
        raise DocumentTooLarge(max_bytes=policy.document_max_bytes)
    if not cmd.content:
        raise InvalidInput("the document is empty", field="file")
    async with uow:
        request = await uow.oversight.documentation_request(cmd.request_id, for_update=True)
        if request is None:
            raise NotFound("no such documentation request", request_id=cmd.request_id)
        if cmd.actor.subject not in await _party_people(uow, request["account_number"]):
            raise NotARepresentative("only a representative of the addressed party may upload documentation")
        now = clock.now()
        document = {
            "id": new_id("dod"), "request_id": cmd.request_id, "filename": cmd.filename[:255] or "document",
            "content_type": cmd.content_type[:120] or "application/octet-stream", "size": len(cmd.content),
            "sha256": hashlib.sha256(cmd.content).hexdigest(), "content": cmd.content,
            "uploaded_by": cmd.actor.subject, "uploaded_at": now,
        }
        await uow.oversight.add_document(document)
        late = now > request["due_at"]
        await uow.oversight.set_documentation_status(cmd.request_id, status="fulfilled")
        t = await uow.transfers.get(request["transfer_id"])
        await notify(uow, transfer_id=request["transfer_id"], kind="documentation.uploaded",
                     recipients=[eo_of(t.jurisdiction if t else "CA"), cmd.actor.subject],
                     message=f"documentation uploaded for request {cmd.request_id}"
                             f"{' after the deadline' if late else ''} (§95921(c))")
        await uow.audit("documentation.uploaded", cmd.request_id, {
            "document_id": document["id"], "sha256": document["sha256"], "size": document["size"], "late": late})
        await uow.commit()
    return {k: v for k, v in document.items() if k != "content"} | {"late": late}


async def _authorize_reader(uow: TransfersUnitOfWork, actor: Actor, request: dict[str, Any]) -> None:
    t = await uow.transfers.get(request["transfer_id"])
    jurisdiction = t.jurisdiction if t else None
    if jurisdiction and actor.is_staff_of(jurisdiction, *OVERSIGHT_ROLES):
        return
    if actor.subject in await _party_people(uow, request["account_number"]):
        return
    raise NotFound("no such documentation request", request_id=request["id"])  # confidential: no hint


LIST_ROLES = ("executive_officer", "accounts_administrator")  # the staff who follow up open requests
DOCUMENTATION_STATUSES = ("open", "fulfilled")


async def list_documentation_requests(*, actor: Actor, uow: TransfersUnitOfWork, status: str | None,
                                      transfer_id: str | None, limit: int) -> list[dict[str, Any]]:
    """Documentation requests the actor may see (§95921(c)(2)): every request about transfers of the
    jurisdictions where they are Executive Officer or accounts administrator, and, for a representative,
    those addressed to an entity they act for. Others get an empty list; documents are not included."""
    if status is not None and status not in DOCUMENTATION_STATUSES:
        raise InvalidInput("status must be open or fulfilled", field="status")
    jurisdictions = {r.split(":", 1)[1] for r in actor.roles
                     if ":" in r and r.split(":", 1)[0] in LIST_ROLES}
    async with uow:
        numbers: set[str] = set()
        for account in await uow.projections.accounts_seen_by(actor.subject):
            if actor.subject in account.actors():
                numbers.update(a.account_number for a in await uow.projections.accounts_of_entity(account.entity_id))
                numbers.add(account.account_number)
        return await uow.oversight.search_documentation_requests(
            accounts_in=sorted(numbers), jurisdictions=jurisdictions, status=status, transfer_id=transfer_id,
            limit=limit)


async def documentation_view(request_id: str, *, actor: Actor, uow: TransfersUnitOfWork) -> dict[str, Any]:
    async with uow:
        request = await uow.oversight.documentation_request(request_id)
        if request is None:
            raise NotFound("no such documentation request", request_id=request_id)
        await _authorize_reader(uow, actor, request)
        return {**request, "documents": await uow.oversight.documents_of(request_id)}


async def document_content(document_id: str, *, actor: Actor, uow: TransfersUnitOfWork) -> dict[str, Any]:
    async with uow:
        document = await uow.oversight.document(document_id)
        if document is None:
            raise NotFound("no such document", document_id=document_id)
        request = await uow.oversight.documentation_request(document["request_id"])
        assert request is not None
        await _authorize_reader(uow, actor, request)
        await uow.audit("documentation.read", document_id, {"request_id": request["id"]})
        await uow.commit()
    return document
