"""Oversight over HTTP: deficiencies and reversal (§95921(i)), documentation (§95921(c)),
exchange clearing holding accounts (§95921(d))."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application import clearing, deficiencies, documentation, queries
from services.transfers.application.commands import (
    CorrectDeficiency,
    ReportDeficiency,
    RequestDocumentation,
    ResubmitTransfer,
    ReverseTransfer,
    UploadDocument,
)
from services.transfers.domain.errors import DocumentTooLarge, NotFound
from services.transfers.domain.parties import EXCHANGE_CLEARING
from services.transfers.entrypoints.http.deps import actor_of, clock_of, policy_of, step_up, uow_of
from services.transfers.entrypoints.http.schemas import (
    CorrectionIn,
    DeficiencyIn,
    DocumentationRequestIn,
    FailureNoticeIn,
    LiftBlockIn,
    ResubmitIn,
    ReversalIn,
    TransferOut,
)
from shared.auth.dependencies import current_principal
from shared.auth.principal import Principal

router = APIRouter(tags=["oversight"])


def _deficiency_out(d: Any) -> dict[str, Any]:
    return {"deficiency_id": d.id, "transfer_id": d.transfer_id, "stage": d.stage, "kind": d.kind,
            "responsible": d.responsible, "problem": d.problem, "fields": d.fields, "found_by": d.found_by,
            "found_at": d.found_at, "correct_by": d.correct_by, "status": d.status, "resolved_by": d.resolved_by,
            "resolved_at": d.resolved_at, "resolution": d.resolution}


@router.post("/transfers/{transfer_id}/deficiencies", status_code=201,
             summary="Record a deficiency found before or after recording (§95921(i)(1), (i)(2))")
async def report_deficiency(transfer_id: str, body: DeficiencyIn, request: Request,
                            principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    cmd = ReportDeficiency(actor=actor_of(principal), transfer_id=transfer_id, kind=body.kind,
                           responsible=body.responsible, problem=body.problem, fields=tuple(body.fields))
    d = await deficiencies.report_deficiency(cmd, uow=uow_of(request), clock=clock_of(request),
                                             policy=policy_of(request))
    return _deficiency_out(d)


@router.post("/transfers/{transfer_id}/resubmit", response_model=TransferOut,
             summary="Resubmit the request with the deficiency corrected (§95921(i)(1)(C))")
async def resubmit(transfer_id: str, body: ResubmitIn, request: Request,
                   principal: Principal = Depends(step_up)) -> Any:
    cmd = ResubmitTransfer(actor=actor_of(principal), transfer_id=transfer_id, terms=body.transaction.to_domain())
    t = await deficiencies.resubmit_transfer(cmd, uow=uow_of(request), clock=clock_of(request),
                                             policy=policy_of(request))
    return queries.transfer_view(t)


@router.post("/deficiencies/{deficiency_id}/correct",
             summary="Correct a deficiency found after recording within five business days (§95921(i)(2)(D))")
async def correct(deficiency_id: str, body: CorrectionIn, request: Request,
                  principal: Principal = Depends(step_up)) -> dict[str, Any]:
    cmd = CorrectDeficiency(actor=actor_of(principal), deficiency_id=deficiency_id, note=body.note,
                            terms=body.transaction.to_domain() if body.transaction else None)
    d = await deficiencies.correct_deficiency(cmd, uow=uow_of(request), clock=clock_of(request),
                                              policy=policy_of(request))
    return _deficiency_out(d)


@router.post("/transfers/{transfer_id}/reversal", response_model=TransferOut,
             summary="The Executive Officer has an uncorrected recorded transfer reversed (§95921(i)(2)(D))")
async def reverse(transfer_id: str, body: ReversalIn, request: Request,
                  principal: Principal = Depends(step_up)) -> Any:
    cmd = ReverseTransfer(actor=actor_of(principal), transfer_id=transfer_id, deficiency_id=body.deficiency_id,
                          reason=body.reason)
    return queries.transfer_view(await deficiencies.reverse_transfer(cmd, uow=uow_of(request), clock=clock_of(request)))


@router.post("/transfers/{transfer_id}/documentation-requests", status_code=201,
             summary="The Executive Officer requests documentation (§95921(c), (h)(1))")
async def request_documentation(transfer_id: str, body: DocumentationRequestIn, request: Request,
                                principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    cmd = RequestDocumentation(actor=actor_of(principal), transfer_id=transfer_id, party=body.party,
                               description=body.description)
    return await documentation.request_documentation(cmd, uow=uow_of(request), clock=clock_of(request))


@router.get("/documentation-requests", summary="Documentation requests you may see, oldest due first (§95921(c))")
async def list_documentation_requests(
    request: Request,
    principal: Principal = Depends(current_principal),
    status: str | None = Query(None, max_length=16),
    transfer_id: str | None = Query(None, max_length=40),
    limit: int = Query(100, ge=1, le=500),
) -> list[dict[str, Any]]:
    """Executive Officer and accounts administrator: their jurisdictions' requests; a representative: the
    requests addressed to an entity they act for; anyone else: nothing (confidential, §95921(c)(2))."""
    return await documentation.list_documentation_requests(actor=actor_of(principal), uow=uow_of(request),
                                                           status=status, transfer_id=transfer_id, limit=limit)


@router.get("/documentation-requests/{request_id}", summary="A documentation request and its documents")
async def get_documentation_request(request_id: str, request: Request,
                                    principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return await documentation.documentation_view(request_id, actor=actor_of(principal), uow=uow_of(request))


@router.post("/documentation-requests/{request_id}/documents", status_code=201,
             summary="Upload documentation (multipart field `file`); kept confidential (§95921(c)(2))")
async def upload_document(request_id: str, request: Request, file: UploadFile = File(...),
                          principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    limit = policy_of(request).document_max_bytes
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise DocumentTooLarge(max_bytes=limit)
    cmd = UploadDocument(actor=actor_of(principal), request_id=request_id, filename=file.filename or "document",
                         content_type=file.content_type or "application/octet-stream", content=content)
    return await documentation.upload_document(cmd, uow=uow_of(request), clock=clock_of(request),
                                               policy=policy_of(request))


@router.get("/documents/{document_id}", summary="Download a document (Executive Officer or the party)")
async def download_document(document_id: str, request: Request,
                            principal: Principal = Depends(current_principal)) -> Response:
    doc = await documentation.document_content(document_id, actor=actor_of(principal), uow=uow_of(request))
    return Response(content=doc["content"], media_type=doc["content_type"],
                    headers={"Cache-Control": "no-store", "X-Content-SHA256": doc["sha256"]})


async def _clearing_account(uow: TransfersUnitOfWork, principal: Principal, account_number: str) -> None:
    actor = actor_of(principal)
    account = await uow.projections.account(account_number)
    allowed = account is not None and account.account_type == EXCHANGE_CLEARING and (
        account.sees(actor.subject) or actor.is_staff_of(account.jurisdiction, *queries.STAFF_ROLES))
    if not allowed:
        raise NotFound("no such clearing account", account_number=account_number)


@router.get("/clearing-accounts/{account_number}/receipts",
            summary="What an exchange clearing holding account received and must pass on (§95921(d)(2))")
async def clearing_receipts(account_number: str, request: Request,
                            principal: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    async with uow_of(request) as uow:
        await _clearing_account(uow, principal, account_number)
        return await uow.oversight.receipts_of(account_number)


@router.get("/clearing-accounts/{account_number}/failures",
            summary="Transfers the clearing account could not complete, and the operator's notices (§95921(d)(4))")
async def clearing_failures(account_number: str, request: Request,
                            principal: Principal = Depends(current_principal)) -> list[dict[str, Any]]:
    async with uow_of(request) as uow:
        await _clearing_account(uow, principal, account_number)
        return await uow.oversight.failures_of(account_number)


@router.post("/clearing-failures/{failure_id}/notice",
             summary="The clearing account operator's notice of a failed transfer, within 3 days (§95921(d)(4))")
async def file_failure_notice(failure_id: str, body: FailureNoticeIn, request: Request,
                              principal: Principal = Depends(current_principal)) -> dict[str, Any]:
    return await clearing.file_failure_notice(failure_id, body.notice, actor=actor_of(principal),
                                              uow=uow_of(request), clock=clock_of(request))


@router.post("/entities/{entity_id}/clearing-block/lift",
             summary="The Executive Officer lifts a §95921(d)(4) block after investigating")
async def lift_clearing_block(entity_id: str, body: LiftBlockIn, request: Request,
                              principal: Principal = Depends(step_up)) -> dict[str, Any]:
    lifted = await clearing.lift_block(entity_id, body.determination, actor=actor_of(principal),
                                       uow=uow_of(request), clock=clock_of(request))
    return {"entity_id": entity_id, "blocks_lifted": lifted}
