"""Jurisdictions and which of them are linked (DOMAIN.md "Actors and jurisdictions").

California and Québec are linked (one shared registry, joint auctions); Nova Scotia is a stand-alone
program: its instruments never move to or from a CA/QC account, and vice versa. A linked external
registry (configuration) joins the link group of the jurisdictions it is linked with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.registry.domain.errors import JurisdictionNotLinked

CORE_JURISDICTIONS: tuple[str, ...] = ("CA", "QC", "NS")
DEFAULT_LINK_GROUPS: tuple[frozenset[str], ...] = (frozenset({"CA", "QC"}), frozenset({"NS"}))


@dataclass(frozen=True)
class Linkage:
    groups: tuple[frozenset[str], ...] = DEFAULT_LINK_GROUPS

    def group_of(self, jurisdiction: str) -> frozenset[str]:
        for group in self.groups:
            if jurisdiction in group:
                return group
        return frozenset({jurisdiction})

    def linked(self, a: str, b: str) -> bool:
        return a == b or b in self.group_of(a)

    def with_external(self, external: Mapping[str, Iterable[str]]) -> Linkage:
        """`external`: external jurisdiction -> our jurisdictions it is linked with."""
        groups = [set(g) for g in self.groups]
        for jurisdiction, partners in external.items():
            for group in groups:
                if group & set(partners):
                    group.add(jurisdiction)
        return Linkage(tuple(frozenset(g) for g in groups))


def ensure_may_hold(account_jurisdiction: str, instrument_jurisdiction: str, linkage: Linkage) -> None:
    """An account holds only instruments of its own link group (DOMAIN.md: NS is stand-alone)."""
    if not linkage.linked(account_jurisdiction, instrument_jurisdiction):
        raise JurisdictionNotLinked(
            f"{instrument_jurisdiction} instruments cannot be held in a {account_jurisdiction} account",
            account_jurisdiction=account_jurisdiction,
            instrument_jurisdiction=instrument_jurisdiction,
        )
