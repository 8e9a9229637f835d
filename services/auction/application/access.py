"""Who may see and do what. Confidential (§95914(c), §95912(f)): intent to bid, approval status,
bids and guarantee amounts are for the auction administrator and the entity's own representatives.

A staff member without the needed role gets 403; an individual asking about an entity they do
not represent gets 404, so that the answer does not reveal whether the entity applied or bid.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from services.auction.adapters.unit_of_work import AuctionUnitOfWork
from services.auction.domain.errors import Forbidden, NotFound
from services.auction.domain.lifecycle import Auction
from shared.auth.principal import Principal, Role

ADMIN = Role.AUCTION_ADMINISTRATOR.value
EO = Role.EXECUTIVE_OFFICER.value


class Viewer(StrEnum):
    ADMINISTRATOR = "administrator"
    EXECUTIVE_OFFICER = "executive_officer"
    REPRESENTATIVE = "representative"


def has_any(principal: Principal, role: str, jurisdictions: Iterable[str]) -> bool:
    return any(principal.has_role(role, j) for j in jurisdictions)


def require(principal: Principal, role: str, jurisdictions: Iterable[str]) -> None:
    wanted = sorted(set(jurisdictions))
    if not has_any(principal, role, wanted):
        raise Forbidden(f"requires the role {role} of {' or '.join(wanted)}", role=role, jurisdictions=wanted)


def is_administrator(principal: Principal, auction: Auction) -> bool:
    return has_any(principal, ADMIN, auction.jurisdictions)


async def entity_viewer(uow: AuctionUnitOfWork, principal: Principal, auction: Auction, entity_id: str,
                        *, executive_officer_jurisdiction: str | None = None) -> Viewer:
    """May `principal` see this entity's confidential auction data? (Raises 403/404 otherwise.)

    The executive officer of the entity's jurisdiction sees applications (it decides them,
    §95912(d)-(e)) when `executive_officer_jurisdiction` is given; never bids or guarantees.
    """
    if is_administrator(principal, auction):
        return Viewer.ADMINISTRATOR
    if executive_officer_jurisdiction and principal.has_role(EO, executive_officer_jurisdiction):
        return Viewer.EXECUTIVE_OFFICER
    if principal.is_staff() or principal.is_machine:
        raise Forbidden("this information is confidential (§95914(c))")
    representative = await uow.directory.representative(principal.subject, entity_id)
    if representative.may_view:
        return Viewer.REPRESENTATIVE
    raise NotFound("not found", entity_id=entity_id)
