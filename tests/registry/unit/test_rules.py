"""Movement rules, entity rules and the journal replay, on the pure domain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.registry.domain.accounts import (
    AccountStatus,
    AccountType,
    AccountView,
    TransferRestriction,
    check_move,
)
from services.registry.domain.entities import (
    EntityStatus,
    Indicium,
    IndiciumKind,
    RepresentativeSet,
    account_status_for,
    association_groups,
    is_direct_association,
    transition,
    validate_split,
)
from services.registry.domain.errors import DomainError
from services.registry.domain.jurisdictions import Linkage
from services.registry.domain.ledger import Movement, Range, SerialReplay

NOW = datetime(2026, 6, 1, tzinfo=UTC)
LINKAGE = Linkage()


def account(number: str, account_type: AccountType = AccountType.HOLDING, jurisdiction: str = "CA",
            **kw) -> AccountView:
    kw.setdefault("status", AccountStatus.OPEN)
    kw.setdefault("entity_id", "e-" + number)
    return AccountView(number=number, account_type=account_type, jurisdiction=jurisdiction, **kw)


def refusal(source: AccountView, destination: AccountView, jurisdiction: str = "CA", **kw) -> str | None:
    try:
        check_move(source, destination, {jurisdiction}, linkage=LINKAGE, now=NOW, **kw)
    except DomainError as error:
        return error.code
    return None


def test_nova_scotia_instruments_never_meet_california_or_quebec_accounts():
    assert refusal(account("a"), account("b", jurisdiction="QC")) is None  # CA and QC are linked
    assert refusal(account("a"), account("b", jurisdiction="NS")) == "jurisdiction_not_linked"
    assert refusal(account("a", jurisdiction="NS"), account("b", jurisdiction="NS"), "CA") == "jurisdiction_not_linked"
    assert refusal(account("a", jurisdiction="NS"), account("b", jurisdiction="NS"), "NS") is None
    external = LINKAGE.with_external({"WA": ["CA", "QC"]})
    assert external.linked("WA", "QC") and not external.linked("WA", "NS")


def test_compliance_accounts_are_one_way_except_to_retirement_or_an_ordered_reversal():
    compliance = account("c", AccountType.COMPLIANCE)
    retirement = account("r", AccountType.RETIREMENT, entity_id=None)
    assert refusal(account("h"), compliance) is None
    assert refusal(compliance, account("h")) == "compliance_account_is_one_way"
    assert refusal(compliance, retirement) is None
    assert refusal(compliance, account("h"), reversal=True) is None  # §95921(i)(2)(D)
    assert refusal(retirement, account("h")) == "retired_instruments_are_final"


def test_restrictions_limit_transfers_in_and_out():
    def restricted(how: TransferRestriction, **kw) -> AccountView:
        return account("x", transfer_restriction=how, status=AccountStatus.RESTRICTED, **kw)

    assert refusal(restricted(TransferRestriction.PROHIBITED), account("b")) == "transfers_prohibited"
    assert refusal(account("b"), restricted(TransferRestriction.INBOUND_PROHIBITED)) == "transfers_prohibited"
    assert refusal(restricted(TransferRestriction.INBOUND_PROHIBITED), account("b")) is None
    only = restricted(TransferRestriction.COMPLIANCE_ONLY, entity_id="e1")
    assert refusal(only, account("b")) == "transfers_prohibited"
    assert refusal(only, account("c", AccountType.COMPLIANCE, entity_id="e1")) is None  # §95921(d)(4)
    assert refusal(restricted(TransferRestriction.PROHIBITED), account("b"), system=True) is None


def test_a_suspended_or_revoked_entity_may_sell_within_its_window_but_not_receive():
    deadline = NOW + timedelta(days=1)
    revoked = account("r", status=AccountStatus.REVOKED, sell_deadline=deadline)
    assert refusal(revoked, account("b")) is None
    assert refusal(account("b"), revoked) == "account_not_open"
    late = account("r", status=AccountStatus.SUSPENDED, sell_deadline=NOW - timedelta(seconds=1))
    assert refusal(late, account("b")) == "sell_window_closed"
    assert refusal(late, account("auction", AccountType.AUCTION_HOLDING, entity_id=None), system=True) is None


def test_limited_use_holding_only_consigns_to_auction():
    limited = account("l", AccountType.LIMITED_USE_HOLDING)
    assert refusal(limited, account("b")) == "limited_use_holding_consignment_only"
    assert refusal(limited, account("a", AccountType.AUCTION_HOLDING, entity_id=None)) is None


def test_direct_associations_need_more_than_half_and_follow_chains():
    assert is_direct_association([Indicium(IndiciumKind.SHARES, Decimal("50.01"))])
    assert not is_direct_association([Indicium(IndiciumKind.SHARES, Decimal(50)),
                                      Indicium(IndiciumKind.VOTING_POWER, Decimal(10))])
    groups = association_groups([("a", "b"), ("c", "b"), ("x", "y")])
    assert groups["a"] == frozenset({"a", "b", "c"}) and groups["y"] == frozenset({"x", "y"})


def test_a_split_names_every_member_and_adds_up():
    group = frozenset({"a", "b"})
    validate_split(group, {"a": (Decimal("0.4"), Decimal("0.5")), "b": (Decimal("0.6"), Decimal("0.5"))})
    for bad in ({"a": (Decimal(1), Decimal(1))},
                {"a": (Decimal("0.4"), Decimal("0.5")), "b": (Decimal("0.5"), Decimal("0.5"))}):
        with pytest.raises(DomainError, match=r"split|add up"):
            validate_split(group, bad)


@pytest.mark.parametrize(("alternates", "ok"), [((), False), (("b",), True), (("b", "c", "d", "e"), True),
                                                (("b", "c", "d", "e", "f"), False), (("a",), False)])
def test_one_primary_and_one_to_four_alternates(alternates, ok):
    reps = RepresentativeSet("a", alternates)
    if ok:
        reps.validate()
    else:
        with pytest.raises(DomainError):
            reps.validate()


def test_entity_status_transitions_and_the_account_status_they_imply():
    assert transition(EntityStatus.APPLIED, "approve") is EntityStatus.APPROVED
    assert transition(EntityStatus.SUSPENDED, "revoke") is EntityStatus.REVOKED
    with pytest.raises(DomainError):
        transition(EntityStatus.REVOKED, "reinstate")
    assert account_status_for(EntityStatus.APPROVED, TransferRestriction.NONE, False) is AccountStatus.OPEN
    assert account_status_for(EntityStatus.APPROVED, TransferRestriction.NONE, True) is AccountStatus.RESTRICTED
    assert account_status_for(EntityStatus.REVOKED, TransferRestriction.NONE, False) is AccountStatus.REVOKED


def test_the_replay_reports_a_move_from_an_account_that_did_not_hold_the_serials():
    replay = SerialReplay()
    r = Range("allowance", "CA", 2026, 1, 100)
    replay.apply(Movement(1, "m1", None, "A", r, "issuance"))
    replay.apply(Movement(2, "m2", "B", "C", Range("allowance", "CA", 2026, 10, 20), "transfer"))
    replay.apply(Movement(3, "m3", None, "A", Range("allowance", "CA", 2026, 50, 150), "issuance"))
    replay.apply(Movement(4, "m4", "A", "C", Range("allowance", "CA", 2026, 10, 20), "transfer"))
    assert len(replay.problems) == 2
    assert replay.holdings() == {"A": [Range("allowance", "CA", 2026, 1, 9), Range("allowance", "CA", 2026, 21, 100)],
                                 "C": [Range("allowance", "CA", 2026, 10, 20)]}
