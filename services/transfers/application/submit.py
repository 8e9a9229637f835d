"""Submitting a transfer request (§95921(a)(1)(A), (b)) and transfers the Executive Officer undertakes."""

from __future__ import annotations

from dataclasses import replace

from services.transfers.adapters.unit_of_work import TransfersUnitOfWork
from services.transfers.application.commands import SubmitTransfer, UndertakeTransfer
from services.transfers.application.common import (
    Policy,
    audit_details,
    describe,
    instrument_spec,
    new_id,
    notify_parties,
)
from services.transfers.domain.errors import (
    AccountUnknown,
    NotARepresentative,
    NotExecutiveOfficer,
    TransferRequestInvalid,
)
from services.transfers.domain.model import Instrument, Origin, Status, Transfer
from services.transfers.domain.parties import (
    AccountView,
    check_instrument,
    check_restrictions,
    check_route,
    linked,
    party_facts,
    requires_acceptance,
)
from services.transfers.domain.terms import Problem, check_terms
from shared.clock import Clock
from shared.contracts.registry import ReserveInstruments
from shared.contracts.transfers import TransferSubmitted


async def _account(uow: TransfersUnitOfWork, number: str, field: str) -> AccountView:
    account = await uow.projections.account(number)
    if account is None:
        raise AccountUnknown(f"account {number} is not known", field=field, account_number=number)
    return account


def _with_issuer(instrument: Instrument, source: AccountView) -> Instrument:
    """Without an issuing jurisdiction, the instruments are the source account's jurisdiction's."""
    return instrument if instrument.jurisdiction else replace(instrument, jurisdiction=source.jurisdiction)


def _raise_problems(problems: list[Problem]) -> None:
    if problems:
        raise TransferRequestInvalid(
            f"the transfer request has {len(problems)} problem(s)", problems=[p.as_dict() for p in problems])


async def submit_transfer(cmd: SubmitTransfer, *, uow: TransfersUnitOfWork, clock: Clock, policy: Policy) -> Transfer:
    async with uow:
        now = clock.now()
        source = await _account(uow, cmd.source_account, "source_account")
        if not source.can_act(cmd.actor.subject):  # §95921(a)(1)(A)
            raise NotARepresentative("only the primary or an alternate representative of the source account may "
                                     "submit a transfer request", account_number=source.account_number)
        destination = await _account(uow, cmd.destination_account, "destination_account")
        source_entity = await uow.projections.entity(source.entity_id)
        destination_entity = await uow.projections.entity(destination.entity_id)
        instrument = _with_issuer(cmd.instrument, source)
        facts = party_facts(source, destination, source_entity, destination_entity)
        terms = cmd.terms.normalized()
        problems = check_route(source, destination, instrument, policy.linkage)
        problems += check_instrument(instrument)
        problems += check_terms(terms, facts, policy.local_date(source.jurisdiction, now))
        problems += await _check_second_representative(uow, cmd, source)
        _raise_problems(problems)
        check_restrictions(source_entity, destination_entity, same_entity=facts.same_entity,
                           clearing_blocked=await uow.projections.clearing_blocked(source.entity_id))
        transfer = Transfer(
            id=new_id("tr"),
            origin=Origin.REPRESENTATIVE,
            status=Status.RESERVING,
            source_account=source.account_number,
            source_entity_id=source.entity_id,
            source_account_type=source.account_type,
            jurisdiction=source_entity.jurisdiction if source_entity else source.jurisdiction,
            destination_account=destination.account_number,
            destination_entity_id=destination.entity_id,
            destination_account_type=destination.account_type,
            instrument=instrument,
            quantity=cmd.quantity,
            submitted_by=cmd.actor.subject,
            submitted_at=now,
            requires_acceptance=requires_acceptance(source, destination),  # §95921(a)(2), (d)(3)
            terms=terms,
            named_confirmer=cmd.second_representative,
        )
        await uow.transfers.add(transfer)
        await _reserve_and_announce(uow, transfer)
        await uow.commit()
    return transfer


async def _check_second_representative(uow: TransfersUnitOfWork, cmd: SubmitTransfer,
                                       source: AccountView) -> list[Problem]:
    """§95921(b)(1)(A): the two initiating individuals are representatives of the source entity."""
    second = cmd.second_representative
    if second is None:
        return []
    if second == cmd.actor.subject:
        return [Problem("second_representative", "same_individual_twice", "§95921(a)(1)(B)",
                        "the second initiating representative must be a different individual")]
    accounts = await uow.projections.accounts_of_entity(source.entity_id) or [source]
    if not any(a.can_act(second) for a in accounts):
        return [Problem("second_representative", "not_an_account_representative", "§95921(b)(1)(A)",
                        "the second initiating individual is not a primary or alternate representative of the "
                        "source entity")]
    return []


async def _reserve_and_announce(uow: TransfersUnitOfWork, t: Transfer) -> None:
    await uow.publish(ReserveInstruments(
        request_id=t.id, requested_by=t.submitted_by, account_number=t.source_account,
        instrument=instrument_spec(t), quantity=t.quantity, purpose=f"transfer {t.id}",
    ))
    eo = t.origin is Origin.EXECUTIVE_OFFICER
    await uow.publish(TransferSubmitted(
        transfer_id=t.id, origin=t.origin.value, source_account=t.source_account,  # type: ignore[arg-type]
        destination_account=t.destination_account, instrument=instrument_spec(t), quantity=t.quantity,
        transaction_type=t.terms.transaction_type if t.terms else None, submitted_by=t.submitted_by,
        submitted_at=t.submitted_at, requires_acceptance=t.requires_acceptance,
        confirm_by=None if eo else t.confirm_by, accept_by=None if eo else t.accept_by,
    ))
    if eo:
        message = f"{describe(t)} undertaken by the Executive Officer ({t.note}); instruments are being reserved"
    else:
        message = (f"{describe(t)} submitted by {t.submitted_by}; instruments are being reserved. A second "
                   f"representative of the source entity must confirm by {t.confirm_by.isoformat()}")
    await notify_parties(uow, t, "transfer.submitted", message)
    await uow.audit("transfer.submitted", t.id, audit_details(
        t, origin=str(t.origin), source=t.source_account, destination=t.destination_account, quantity=t.quantity,
        instrument=instrument_spec(t).model_dump(), requires_acceptance=t.requires_acceptance))


async def undertake_transfer(cmd: UndertakeTransfer, *, uow: TransfersUnitOfWork, clock: Clock,
                             policy: Policy) -> Transfer:
    """§95921(a)(1): the Executive Officer's own transfers need no confirmation or acceptance ((a)(2)(A))."""
    async with uow:
        now = clock.now()
        source = await _account(uow, cmd.source_account, "source_account")
        destination = await _account(uow, cmd.destination_account, "destination_account")
        source_entity = await uow.projections.entity(source.entity_id)
        jurisdiction = source_entity.jurisdiction if source_entity else source.jurisdiction
        if not cmd.actor.has_role("executive_officer", jurisdiction):
            raise NotExecutiveOfficer(jurisdiction=jurisdiction)
        instrument = _with_issuer(cmd.instrument, source)
        problems = check_instrument(instrument)
        if source.account_number == destination.account_number:
            problems.append(Problem("destination_account", "same_account", "§95921(b)(1)(B)",
                                    "the destination must differ from the source"))
        if not linked(source.jurisdiction, destination.jurisdiction, policy.linkage):
            problems.append(Problem("destination_account", "jurisdictions_not_linked", "§95921(b)(1)(B)",
                                    f"{source.jurisdiction} and {destination.jurisdiction} are not linked"))
        _raise_problems(problems)
        transfer = Transfer(
            id=new_id("tr"), origin=Origin.EXECUTIVE_OFFICER, status=Status.RESERVING,
            source_account=source.account_number, source_entity_id=source.entity_id,
            source_account_type=source.account_type, jurisdiction=jurisdiction,
            destination_account=destination.account_number, destination_entity_id=destination.entity_id,
            destination_account_type=destination.account_type, instrument=instrument, quantity=cmd.quantity,
            submitted_by=cmd.actor.subject, submitted_at=now, requires_acceptance=False, note=cmd.reason,
        )
        await uow.transfers.add(transfer)
        await _reserve_and_announce(uow, transfer)
        await uow.commit()
    return transfer
