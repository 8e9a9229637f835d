"""Read models served over HTTP."""

from __future__ import annotations

from typing import Any

from services.registry.adapters.ledger_repository import RecordedMove
from services.registry.adapters.unit_of_work import RegistryUnitOfWork
from services.registry.application.ledger import serial_ranges


async def my_accounts(uow: RegistryUnitOfWork, individual_id: str) -> dict[str, Any]:
    """An individual's rights: every account they represent, with their role (§95832).

    Rights are live only while their KYC review stands approved (§95834)."""
    individual = await uow.registry.individual(individual_id)
    kyc = individual.kyc_status if individual is not None else "unknown"
    accounts = [
        {"account_number": r.number, "account_type": r.account_type, "owner_kind": r.owner_kind,
         "entity_id": r.entity_id, "entity_name": r.legal_name, "jurisdiction": r.jurisdiction,
         "status": r.status, "role": r.role, "may_act": kyc == "approved" and r.role in ("primary", "alternate"),
         "may_view": kyc == "approved"}
        for r in await uow.registry.accounts_represented_by(individual_id)
    ]
    return {"individual_id": individual_id, "kyc_status": kyc, "accounts": accounts}


async def account_detail(uow: RegistryUnitOfWork, account: Any) -> dict[str, Any]:
    reps = await uow.registry.representatives(account.number)
    return {
        "account_number": account.number, "account_type": account.account_type, "owner_kind": account.owner_kind,
        "entity_id": account.entity_id, "jurisdiction": account.jurisdiction, "status": account.status,
        "opened_at": account.opened_at, "status_changed_at": account.status_changed_at,
        "representatives": [{"individual_id": i, "role": r} for i, r in reps],
    }


def entity_detail(entity: Any) -> dict[str, Any]:
    return {
        "entity_id": entity.id, "legal_name": entity.legal_name, "entity_type": entity.entity_type,
        "jurisdiction": entity.jurisdiction, "taxpayer_id": entity.taxpayer_id, "status": entity.status,
        "addresses": entity.details.get("addresses", []),
        "directors_officers": entity.details.get("directors_officers", []),
        "proposed_representatives": entity.details.get("representatives"),
        "applied_by": entity.applied_by, "applied_at": entity.applied_at, "decided_by": entity.decided_by,
        "decided_at": entity.decided_at, "status_reason": entity.status_reason,
        "transfer_restriction": entity.transfer_restriction,
        "holding_limit_lowered_to": entity.holding_limit_lowered_to,
        "holding_limit_share": None if entity.holding_limit_share is None else str(entity.holding_limit_share),
        "purchase_limit_share": None if entity.purchase_limit_share is None else str(entity.purchase_limit_share),
        "compliance_exemption": entity.compliance_exemption, "sell_deadline": entity.sell_deadline,
        "remainder_consigned_at": entity.remainder_consigned_at,
    }


def movement_record(move: RecordedMove) -> dict[str, Any]:
    """The linkage feed record (same shape as LedgerMovementReported on linkage.feed.v1)."""
    return {
        "sequence": move.seq, "move_id": move.move_id, "kind": move.kind, "source_account": move.source,
        "destination_account": move.destination, "quantity": move.quantity,
        "serials": [s.model_dump() for s in serial_ranges(move.ranges)], "reason": move.reason,
        "recorded_at": move.recorded_at,
    }
