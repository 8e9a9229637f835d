"""Account numbers with ISO 7064 MOD 97-10 check digits (the IBAN scheme).

Canonical form: `CC-NNNNNNNN-KK`: the jurisdiction, an eight-digit sequence number and two check
digits. Input is accepted with or without hyphens and spaces, in any case; it is validated and
returned in canonical form. A single mistyped character or a swap of two adjacent characters is
always detected.
"""

from __future__ import annotations

import re

from services.registry.domain.errors import InvalidAccountNumber

_COMPACT = re.compile(r"^([A-Z]{2})(\d{8})(\d{2})$")
MAX_SEQUENCE = 99_999_999


def _numeric(text: str) -> int:
    """Letters become 10..35, digits stay (ISO 7064 / ISO 13616 conversion)."""
    return int("".join(str(int(ch, 36)) for ch in text))


def check_digits(jurisdiction: str, sequence: int) -> str:
    body = f"{jurisdiction}{sequence:08d}"
    return f"{98 - (_numeric(body) * 100) % 97:02d}"


def make_account_number(jurisdiction: str, sequence: int) -> str:
    if not (len(jurisdiction) == 2 and jurisdiction.isalpha() and jurisdiction.isupper()):
        raise InvalidAccountNumber("the jurisdiction code must be two capital letters", jurisdiction=jurisdiction)
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise InvalidAccountNumber("account sequence out of range", sequence=sequence)
    return f"{jurisdiction}-{sequence:08d}-{check_digits(jurisdiction, sequence)}"


def normalize_account_number(raw: str) -> str:
    """Validate and return the canonical form; raises InvalidAccountNumber (422)."""
    compact = re.sub(r"[\s-]", "", raw or "").upper()
    match = _COMPACT.match(compact)
    if match is None:
        raise InvalidAccountNumber("an account number looks like CA-00000001-39", account_number=raw)
    jurisdiction, digits, check = match.groups()
    if _numeric(jurisdiction + digits + check) % 97 != 1:
        raise InvalidAccountNumber("the account number's check digits are wrong", account_number=raw)
    return f"{jurisdiction}-{digits}-{check}"


def is_valid_account_number(raw: str) -> bool:
    try:
        normalize_account_number(raw)
    except InvalidAccountNumber:
        return False
    return True
