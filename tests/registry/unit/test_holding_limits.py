"""§95920 holding limit: the formula, budgets, what counts, associations, the compliance exemption."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.registry.domain.accounts import AccountType
from services.registry.domain.errors import BudgetNotConfigured, HoldingLimitExceeded
from services.registry.domain.holding_limits import BudgetTable, Holding, LimitPolicy, holding_limit

BUDGETS = BudgetTable({"CA": {2026: 60_000_000, 2028: 40_000_000}, "QC": {2026: 60_000_000}},
                      {"QC": ["CA", "QC"]})


def policy(group=("e1",), shares=None, lowered=None, exemptions=None, jurisdiction="CA") -> LimitPolicy:
    return LimitPolicy(budgets=BUDGETS, jurisdiction=jurisdiction, current_year=2026, group=frozenset(group),
                       shares=shares or {}, lowered=lowered or {}, exemptions=exemptions or {})


def test_the_2013_example_of_the_regulation():
    assert holding_limit(162_800_000) == 5_945_000  # 0.1 × 25,000,000 + 0.025 × 137,800,000


def test_budgets_below_the_first_tranche_count_at_ten_percent():
    assert holding_limit(25_000_000) == 2_500_000
    assert holding_limit(1_000) == 100


def test_quebec_counts_the_combined_budget_and_a_missing_year_is_refused():
    assert BUDGETS.budget("QC", 2026) == 120_000_000
    assert BUDGETS.budget("CA", 2026) == 60_000_000
    with pytest.raises(BudgetNotConfigured):
        BUDGETS.budget("CA", 2027)


def test_excluded_accounts_do_not_count_and_offsets_never_reach_the_policy():
    holdings = [Holding("e1", t, 2026, 1_000) for t in AccountType if t not in (
        AccountType.HOLDING, AccountType.COMPLIANCE)]
    assert policy().headroom("e1", holdings, 2026).counted == 0


def test_current_and_earlier_vintages_count_together_and_future_vintages_alone():
    holdings = [Holding("e1", AccountType.HOLDING, v, 100) for v in (2020, 2026, 2028)]
    assert policy().headroom("e1", holdings, 2024).counted == 200
    future = policy().headroom("e1", holdings, 2028)
    assert future.counted == 100 and future.budget_year == 2028 and future.limit == holding_limit(40_000_000)


def test_the_compliance_account_is_exempt_up_to_its_limited_exemption():
    holdings = [Holding("e1", AccountType.COMPLIANCE, 2026, 1_000), Holding("e1", AccountType.HOLDING, 2026, 50)]
    result = policy(exemptions={"e1": 800}).headroom("e1", holdings, 2026)
    assert result.counted == 250 and result.compliance_exempted == 800


def test_an_association_without_a_split_shares_one_limit_jointly():
    holdings = [Holding("e1", AccountType.HOLDING, 2026, 1_000), Holding("e2", AccountType.HOLDING, 2026, 2_000)]
    result = policy(group=("e1", "e2")).headroom("e1", holdings, 2026)
    assert result.shared_jointly and result.counted == 3_000 and result.limit == 3_375_000


def test_a_declared_split_gives_each_member_its_share_of_the_limit():
    holdings = [Holding("e1", AccountType.HOLDING, 2026, 1_000), Holding("e2", AccountType.HOLDING, 2026, 2_000)]
    shares = {"e1": Decimal("0.25"), "e2": Decimal("0.75")}
    result = policy(group=("e1", "e2"), shares=shares).headroom("e1", holdings, 2026)
    assert not result.shared_jointly and result.counted == 1_000 and result.limit == 843_750


def test_a_lowered_limit_applies_and_additions_over_it_are_refused():
    p = policy(lowered={"e1": 500})  # §95921(g)(1)
    holdings = [Holding("e1", AccountType.HOLDING, 2026, 400)]
    p.check_addition("e1", holdings, [Holding("e1", AccountType.HOLDING, 2026, 100)])
    with pytest.raises(HoldingLimitExceeded) as refused:
        p.check_addition("e1", holdings, [Holding("e1", AccountType.HOLDING, 2026, 101)])
    assert refused.value.code == "holding_limit_exceeded"
    # an addition that does not raise the counted holdings is never refused, even when already over
    p.check_addition("e1", [Holding("e1", AccountType.HOLDING, 2026, 900)],
                     [Holding("e1", AccountType.LIMITED_USE_HOLDING, 2026, 10)])
