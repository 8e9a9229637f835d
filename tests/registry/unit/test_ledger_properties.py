"""Invariants of the serial ledger, checked by hypothesis on the pure model (services/registry/domain/ledger.py):
totals are conserved, each serial is in exactly one account, nothing is negative, the journal alone
re-derives every holding, and serials are chosen lowest first."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from services.registry.domain.errors import DomainError, InsufficientHoldings
from services.registry.domain.ledger import Block, Ledger, SerialReplay, Spec, merge_ranges, plan_take

ACCOUNTS = ("A", "B", "C", "D")
KINDS = st.sampled_from([("allowance", "CA", 2025), ("allowance", "CA", 2026), ("allowance", "NS", 2026),
                         ("offset", "CA", None)])


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ledger = Ledger()
        self.issued: Counter[tuple[str, str, int | None]] = Counter()
        self.reservations: list[str] = []

    @rule(account=st.sampled_from(ACCOUNTS), kind=KINDS, quantity=st.integers(1, 50))
    def issue(self, account: str, kind: tuple[str, str, int | None], quantity: int) -> None:
        self.ledger.issue(account, kind[0], kind[1], kind[2], quantity)
        self.issued[kind] += quantity

    @rule(source=st.sampled_from(ACCOUNTS), destination=st.sampled_from(ACCOUNTS), kind=KINDS,
          any_vintage=st.booleans(), quantity=st.integers(1, 80))
    def move(self, source: str, destination: str, kind: tuple[str, str, int | None], any_vintage: bool,
             quantity: int) -> None:
        spec = Spec(kind[0], kind[1], None if any_vintage else kind[2])
        free = self.ledger.balance(source, spec, free_only=True)
        before = list(self.ledger.blocks)
        if quantity > free:
            with pytest.raises(InsufficientHoldings):
                self.ledger.move(source, destination, spec, quantity)
            assert self.ledger.blocks == before  # a refusal changes nothing
            return
        expected = self._lowest_free(source, spec, quantity)
        moved = self.ledger.move(source, destination, spec, quantity)
        assert sum(r.quantity for r in moved) == quantity
        assert {s for r in moved for s in range(r.first, r.last + 1)} == expected  # lowest serial first

    @rule(account=st.sampled_from(ACCOUNTS), kind=KINDS, quantity=st.integers(1, 40))
    def reserve(self, account: str, kind: tuple[str, str, int | None], quantity: int) -> None:
        spec = Spec(*kind)
        rid = f"r{len(self.reservations)}"
        try:
            self.ledger.reserve(rid, account, spec, quantity)
        except InsufficientHoldings:
            return
        self.reservations.append(rid)

    @precondition(lambda self: self.reservations)
    @rule(data=st.data(), destination=st.sampled_from(ACCOUNTS), release=st.booleans())
    def settle(self, data: st.DataObject, destination: str, release: bool) -> None:
        rid = data.draw(st.sampled_from(self.reservations))
        reservation = self.ledger.reservations[rid]
        try:
            if release:
                self.ledger.release(rid)
            else:
                self.ledger.move(reservation.account, destination, reservation.spec, reservation.quantity,
                                 reservation_id=rid)
        except DomainError:
            assert reservation.status != "active"  # only an already closed reservation is refused

    def _lowest_free(self, account: str, spec: Spec, quantity: int) -> set[int]:
        serials = sorted(s for b in self.ledger.blocks
                         if b.account == account and not b.reservation and spec.matches(b)
                         for s in range(b.first, b.last + 1))
        return set(serials[:quantity])

    @invariant()
    def totals_are_conserved(self) -> None:
        held: Counter[tuple[str, str, int | None]] = Counter()
        for b in self.ledger.blocks:
            held[(b.instrument_type, b.jurisdiction, b.vintage)] += b.quantity
        assert +held == +self.issued

    @invariant()
    def each_serial_is_in_exactly_one_block(self) -> None:
        seen: set[tuple[str, int]] = set()
        for b in self.ledger.blocks:
            assert b.quantity >= 1  # nothing negative, nothing empty
            for s in range(b.first, b.last + 1):
                assert (b.jurisdiction, s) not in seen
                seen.add((b.jurisdiction, s))
        assert len(seen) == sum(self.issued.values())

    @invariant()
    def the_journal_rederives_every_holding(self) -> None:
        replay = SerialReplay()
        for movement in self.ledger.journal:
            replay.apply(movement)
        assert replay.problems == []
        derived = replay.holdings()
        for account in ACCOUNTS:
            actual = merge_ranges(b.range() for b in self.ledger.blocks if b.account == account)
            assert derived.get(account, []) == actual

    @invariant()
    def reserved_blocks_match_active_reservations(self) -> None:
        by_reservation: Counter[str] = Counter()
        for b in self.ledger.blocks:
            if b.reservation:
                by_reservation[b.reservation] += b.quantity
        active = {r.reservation_id: r.quantity for r in self.ledger.reservations.values() if r.status == "active"}
        assert dict(by_reservation) == active

    @invariant()
    def adjacent_blocks_of_one_kind_are_coalesced(self) -> None:
        ordered = sorted(self.ledger.blocks, key=lambda b: (b.jurisdiction, b.first))
        for left, right in itertools.pairwise(ordered):
            assert not (left.same_kind(right) and left.last + 1 == right.first)


TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = settings(max_examples=80, stateful_step_count=30, deadline=None,
                                      suppress_health_check=[HealthCheck.too_slow])


blocks = st.lists(st.integers(1, 20), min_size=1, max_size=8).map(
    lambda sizes: [Block("A", "allowance", "CA", 2026, sum(sizes[:i]) * 2 + 1, sum(sizes[:i]) * 2 + size)
                   for i, size in enumerate(sizes)]
)


@given(candidates=blocks, data=st.data())
def test_plan_take_takes_whole_blocks_lowest_first_and_splits_only_the_last(candidates, data):
    total = sum(b.quantity for b in candidates)
    quantity = data.draw(st.integers(1, total))
    plan = plan_take(candidates, quantity)
    assert sum(count for _, count in plan) == quantity
    assert [b for b, _ in plan] == candidates[: len(plan)]
    assert all(count == b.quantity for b, count in plan[:-1])


@given(candidates=blocks)
def test_plan_take_refuses_more_than_is_free(candidates):
    with pytest.raises(InsufficientHoldings):
        plan_take(candidates, sum(b.quantity for b in candidates) + 1)
