"""The serial-number ledger, as pure rules: blocks, the choice of serials, the journal replay.

Holdings are blocks of consecutive serial numbers (first..last, inclusive) of one instrument type,
issuing jurisdiction and vintage, in one account, optionally reserved for a pending transfer.
Serial numbers are unique per issuing jurisdiction; a serial is in exactly one block.

Choice of serials (deterministic, documented in docs/registry.md): **lowest serial first**. Among
the account's free blocks that match the instrument (type, jurisdiction, and vintage when given),
whole blocks are taken in ascending serial order; the last block needed is split and its lowest
serials move, the higher ones stay. Adjacent blocks with equal attributes in one account coalesce.

`Ledger` is an in-memory model of the same mechanics (used by the property tests, and the
reference the database adapter is checked against); `SerialReplay` re-derives every account's
serials from the journal alone (used by reconciliation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from sortedcontainers import SortedList

from services.registry.domain.errors import (
    InsufficientHoldings,
    InvalidInput,
    InvalidQuantity,
    ReservationMismatch,
    ReservationNotActive,
    ReservationNotFound,
)

INSTRUMENT_TYPES = ("allowance", "offset")
MAX_QUANTITY = 10**12


@dataclass(frozen=True)
class Spec:
    """Which instruments: type, issuing jurisdiction and (allowances) vintage; None = any vintage."""

    instrument_type: str
    jurisdiction: str
    vintage: int | None = None

    def matches(self, block: Block) -> bool:
        return (
            block.instrument_type == self.instrument_type
            and block.jurisdiction == self.jurisdiction
            and (self.vintage is None or block.vintage == self.vintage)
        )


@dataclass(frozen=True)
class Range:
    """Consecutive serials of one kind (what a journal entry and a SerialRange carry)."""

    instrument_type: str
    jurisdiction: str
    vintage: int | None
    first: int
    last: int

    @property
    def quantity(self) -> int:
        return self.last - self.first + 1

    def kind(self) -> tuple[str, str, int | None]:
        return (self.instrument_type, self.jurisdiction, self.vintage)


@dataclass(frozen=True)
class Block:
    account: str
    instrument_type: str
    jurisdiction: str
    vintage: int | None
    first: int
    last: int
    reservation: str | None = None

    @property
    def quantity(self) -> int:
        return self.last - self.first + 1

    def range(self, first: int | None = None, last: int | None = None) -> Range:
        return Range(self.instrument_type, self.jurisdiction, self.vintage,
                     self.first if first is None else first, self.last if last is None else last)

    def same_kind(self, other: Block) -> bool:
        return (self.account, self.instrument_type, self.jurisdiction, self.vintage, self.reservation) == (
            other.account, other.instrument_type, other.jurisdiction, other.vintage, other.reservation)


def validate_quantity(quantity: int) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= MAX_QUANTITY:
        raise InvalidQuantity("the quantity must be a positive whole number", quantity=quantity)


def validate_instrument(instrument_type: str, vintage: int | None, *, issuing: bool = False) -> None:
    if instrument_type not in INSTRUMENT_TYPES:
        raise InvalidInput("unknown instrument type", instrument_type=instrument_type)
    if issuing and instrument_type == "allowance" and vintage is None:
        raise InvalidInput("allowances are issued with a vintage year")
    if issuing and instrument_type == "offset" and vintage is not None:
        raise InvalidInput("offset credits carry no vintage")
    if vintage is not None and not 2000 <= vintage <= 2100:
        raise InvalidInput("vintage out of range", vintage=vintage)


def plan_take(candidates: Sequence[Block], quantity: int) -> list[tuple[Block, int]]:
    """Lowest serial first. `candidates` are free matching blocks in ascending serial order.

    Returns (block, how many of its lowest serials to take); only the last pair may be partial.
    """
    validate_quantity(quantity)
    plan: list[tuple[Block, int]] = []
    remaining = quantity
    for block in candidates:
        if remaining == 0:
            break
        take = min(block.quantity, remaining)
        plan.append((block, take))
        remaining -= take
    if remaining:
        raise InsufficientHoldings(
            "not enough free instruments", requested=quantity, available=quantity - remaining
        )
    return plan


def merge_ranges(ranges: Iterable[Range]) -> list[Range]:
    """Sort by (jurisdiction, first) and coalesce adjacent ranges of the same kind."""
    out: list[Range] = []
    for r in sorted(ranges, key=lambda x: (x.jurisdiction, x.first)):
        if out and out[-1].kind() == r.kind() and out[-1].last + 1 == r.first:
            out[-1] = replace(out[-1], last=r.last)
        else:
            out.append(r)
    return out


# ---- the in-memory model -------------------------------------------------------------------------

@dataclass(frozen=True)
class Movement:
    """One journal entry: a serial range created in (source None) or moved into `destination`."""

    seq: int
    move_id: str
    source: str | None
    destination: str
    range: Range
    reason: str


@dataclass
class Reservation:
    reservation_id: str
    account: str
    spec: Spec
    quantity: int
    status: str = "active"  # active, released, consumed


@dataclass
class Ledger:
    blocks: list[Block] = field(default_factory=list)
    journal: list[Movement] = field(default_factory=list)
    reservations: dict[str, Reservation] = field(default_factory=dict)
    next_serial: dict[str, int] = field(default_factory=dict)
    _moves: int = 0

    # -- queries
    def account_blocks(self, account: str) -> list[Block]:
        return sorted((b for b in self.blocks if b.account == account), key=lambda b: (b.jurisdiction, b.first))

    def balance(self, account: str, spec: Spec | None = None, *, free_only: bool = False) -> int:
        return sum(
            b.quantity for b in self.blocks
            if b.account == account and (spec is None or spec.matches(b)) and not (free_only and b.reservation)
        )

    def issued(self) -> int:
        return sum(m.range.quantity for m in self.journal if m.source is None)

    # -- commands
    def issue(self, account: str, instrument_type: str, jurisdiction: str, vintage: int | None,
              quantity: int) -> Range:
        validate_quantity(quantity)
        first = self.next_serial.get(jurisdiction, 1)
        self.next_serial[jurisdiction] = first + quantity
        created = Range(instrument_type, jurisdiction, vintage, first, first + quantity - 1)
        self._place(Block(account, instrument_type, jurisdiction, vintage, created.first, created.last))
        self._record(None, account, [created], "issuance")
        return created

    def reserve(self, reservation_id: str, account: str, spec: Spec, quantity: int) -> list[Range]:
        if reservation_id in self.reservations:
            raise ReservationNotActive("reservation id already used")
        taken = self._take(account, spec, quantity, reservation=None)
        for block in taken:
            self._place(replace(block, reservation=reservation_id))
        self.reservations[reservation_id] = Reservation(reservation_id, account, spec, quantity)
        return [b.range() for b in taken]

    def release(self, reservation_id: str) -> None:
        reservation = self._active(reservation_id)
        mine = [b for b in self.blocks if b.reservation == reservation_id]
        for block in mine:
            self.blocks.remove(block)
        for block in mine:
            self._place(replace(block, reservation=None))
        reservation.status = "released"

    def move(self, source: str, destination: str, spec: Spec, quantity: int,
             reservation_id: str | None = None, reason: str = "transfer") -> list[Range]:
        if reservation_id is not None:
            reservation = self._active(reservation_id)
            if reservation.account != source or reservation.spec != spec or reservation.quantity != quantity:
                raise ReservationMismatch("the move does not match the reservation")
            taken = [b for b in self.blocks if b.reservation == reservation_id]
            for block in taken:
                self.blocks.remove(block)
            reservation.status = "consumed"
        else:
            taken = self._take(source, spec, quantity, reservation=None)
        for block in taken:
            self._place(replace(block, account=destination, reservation=None))
        ranges = merge_ranges(b.range() for b in taken)
        self._record(source, destination, ranges, reason)
        return ranges

    # -- mechanics
    def _active(self, reservation_id: str) -> Reservation:
        reservation = self.reservations.get(reservation_id)
        if reservation is None:
            raise ReservationNotFound("no such reservation", reservation_id=reservation_id)
        if reservation.status != "active":
            raise ReservationNotActive("reservation is " + reservation.status, reservation_id=reservation_id)
        return reservation

    def _take(self, account: str, spec: Spec, quantity: int, *, reservation: str | None) -> list[Block]:
        candidates = sorted(
            (b for b in self.blocks if b.account == account and b.reservation == reservation and spec.matches(b)),
            key=lambda b: b.first,
        )
        taken: list[Block] = []
        for block, count in plan_take(candidates, quantity):
            self.blocks.remove(block)
            if count < block.quantity:
                self.blocks.append(replace(block, first=block.first + count))
                block = replace(block, last=block.first + count - 1)
            taken.append(block)
        return taken

    def _place(self, block: Block) -> None:
        """Insert, coalescing with an adjacent block of the same kind on either side."""
        for neighbour in [b for b in self.blocks if b.same_kind(block) and b.jurisdiction == block.jurisdiction]:
            if neighbour.last + 1 == block.first:
                self.blocks.remove(neighbour)
                block = replace(block, first=neighbour.first)
            elif block.last + 1 == neighbour.first:
                self.blocks.remove(neighbour)
                block = replace(block, last=neighbour.last)
        self.blocks.append(block)

    def _record(self, source: str | None, destination: str, ranges: list[Range], reason: str) -> None:
        self._moves += 1
        move_id = f"mv{self._moves}"
        for r in ranges:
            self.journal.append(Movement(len(self.journal) + 1, move_id, source, destination, r, reason))


# ---- replay of the journal ---------------------------------------------------------------------------

@dataclass
class SerialReplay:
    """Re-derives which account holds every serial from the journal alone, noting impossible entries.

    Per issuing jurisdiction, a sorted map first serial -> (last serial, account, kind) of disjoint
    spans; each entry costs O(k log n) for the k spans it touches, so a journal of millions of
    entries replays in seconds."""

    _starts: dict[str, SortedList] = field(default_factory=dict)
    _spans: dict[str, dict[int, tuple[int, str, Range]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def apply(self, m: Movement) -> None:
        r = m.range
        starts = self._starts.setdefault(r.jurisdiction, SortedList())
        spans = self._spans.setdefault(r.jurisdiction, {})
        i = max(starts.bisect_right(r.first) - 1, 0)
        overlapping: list[tuple[int, int, str, Range]] = []
        for first in starts.islice(i):
            if first > r.last:
                break
            last, account, kind = spans[first]
            if last >= r.first:
                overlapping.append((first, last, account, kind))
        if m.source is None:
            if overlapping:
                self.problems.append(f"entry {m.seq}: serials {r.jurisdiction} {r.first}-{r.last} created twice")
                return
        else:
            covered = sum(min(s[1], r.last) - max(s[0], r.first) + 1 for s in overlapping)
            wrong = [s for s in overlapping if s[2] != m.source or s[3].kind() != r.kind()]
            if covered != r.quantity or wrong:
                self.problems.append(
                    f"entry {m.seq}: {m.source} did not hold {r.jurisdiction} {r.first}-{r.last} ({r.quantity})"
                )
                return
        for first, last, account, kind in overlapping:
            starts.remove(first)
            del spans[first]
            if first < r.first:
                starts.add(first)
                spans[first] = (r.first - 1, account, kind)
            if last > r.last:
                starts.add(r.last + 1)
                spans[r.last + 1] = (last, account, kind)
        starts.add(r.first)
        spans[r.first] = (r.last, m.destination, r)

    def holdings(self) -> dict[str, list[Range]]:
        """account -> merged serial ranges it holds."""
        out: dict[str, list[Range]] = {}
        for spans in self._spans.values():
            for first, (last, account, kind) in spans.items():
                out.setdefault(account, []).append(replace(kind, first=first, last=last))
        return {account: merge_ranges(ranges) for account, ranges in out.items()}
