"""Answers of the registry to the moves we asked for, and the FSA's retries (§95912(i)(4))."""

from __future__ import annotations

from dataclasses import dataclass

from services.financial.adapters.unit_of_work import FinancialUnitOfWork
from services.financial.application.access import Access
from services.financial.application.guarantees import load_auction
from services.financial.application.settlement import request_move
from services.financial.domain.errors import DeliveryNotFound, DeliveryNotRefused, InvoiceNotFound
from shared.auth.principal import Principal
from shared.contracts.registry import MoveRecorded, MoveRefused

HOLDING_LIMIT_EXCEEDED = "holding_limit_exceeded"
COMPLIANCE_ACCOUNT = "compliance"


async def on_move_recorded(event: MoveRecorded, *, uow: FinancialUnitOfWork) -> None:
    delivery = await uow.deliveries.get(event.request_id, for_update=True)
    if delivery is None or delivery["status"] != "requested":
        return  # another service's move, or an answer we already have
    await uow.deliveries.update(event.request_id, status="recorded", move_id=event.move_id,
                                updated_at=uow.clock.now())
    await uow.audit("delivery.recorded", event.request_id, {
        "move_id": event.move_id, "destination": event.destination_account, "quantity": event.quantity})


async def on_move_refused(event: MoveRefused, *, uow: FinancialUnitOfWork) -> None:
    """A move over the holding limit goes to the winner's compliance account instead (§95912(i)(4))."""
    delivery = await uow.deliveries.get(event.request_id, for_update=True)
    if delivery is None or delivery["status"] != "requested":
        return
    now = uow.clock.now()
    await uow.deliveries.update(event.request_id, status="refused", refusal_code=event.code,
                                refusal_message=event.message, updated_at=now)
    await uow.audit("delivery.refused", event.request_id, {"code": event.code, "message": event.message})
    if event.code != HOLDING_LIMIT_EXCEEDED or delivery["retry_of"] is not None:
        return
    compliance = await uow.accounts.account_of_type(delivery["entity_id"], COMPLIANCE_ACCOUNT)
    if compliance is None or compliance == delivery["destination_account"]:
        return
    await _again(uow, delivery, destination=compliance, vintage=delivery["vintage"])


async def _again(uow: FinancialUnitOfWork, delivery: dict[str, object], *, destination: str,
                 vintage: int | None) -> str:
    invoice = await uow.invoices.get(str(delivery["invoice_id"]))
    if invoice is None:
        raise InvoiceNotFound(invoice_id=delivery["invoice_id"])
    await uow.deliveries.update(str(delivery["request_id"]), status="retried", updated_at=uow.clock.now())
    return await request_move(
        uow, invoice=invoice, auction_id=str(delivery["auction_id"]), jurisdiction=str(delivery["jurisdiction"]),
        pool=str(delivery["pool"]), vintage=vintage, quantity=int(str(delivery["quantity"])),
        source=str(delivery["source_account"]), destination=destination, at=uow.clock.now(),
        retry_of=str(delivery["request_id"]),
    )


@dataclass(frozen=True)
class RetryDelivery:
    request_id: str
    destination_account: str | None = None
    any_vintage: bool = False  # let the registry move allowances of any vintage


async def retry_delivery(cmd: RetryDelivery, *, principal: Principal, uow: FinancialUnitOfWork) -> str:
    """The FSA asks again for a move the registry refused, optionally elsewhere or of any vintage."""
    async with uow:
        delivery = await uow.deliveries.get(cmd.request_id, for_update=True)
        if delivery is None:
            raise DeliveryNotFound(request_id=cmd.request_id)
        auction = await load_auction(uow, delivery["auction_id"])
        (await Access.of(principal, uow)).require_fsa(auction.jurisdictions)
        if delivery["status"] != "refused":
            raise DeliveryNotRefused(request_id=cmd.request_id, status=delivery["status"])
        request_id = await _again(uow, delivery, destination=cmd.destination_account or delivery["destination_account"],
                                  vintage=None if cmd.any_vintage else delivery["vintage"])
        await uow.commit()
        return request_id
