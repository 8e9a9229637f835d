"""One person, one credential (§95834): what identifies a person, normalised before hashing.

The fingerprints are keyed hashes (HMAC-SHA256 with a secret from the settings), computed by an
adapter; this module only says what goes into them, so that "Zoë  O'Brien" and "ZOE OBRIEN"
born the same day are the same person, and "AB 123-456" and "ab123456" the same ID number.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_NOT_ALNUM = re.compile(r"[^0-9a-z ]+")
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalize_name(name: str) -> str:
    folded = _fold(name).replace("-", " ")
    return _SPACES.sub(" ", _NOT_ALNUM.sub("", folded)).strip()


def normalize_id_number(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", _fold(number).upper())


def normalize_issuer(issuer: str) -> str:
    return normalize_name(issuer)


def person_material(legal_name: str, date_of_birth: date) -> str:
    """Name and date of birth: the same human under any e-mail."""
    return f"person|{normalize_name(legal_name)}|{date_of_birth.isoformat()}"


def document_material(id_number: str, issuer: str) -> str:
    """ID number and issuer: the same identity document (the type is left out on purpose)."""
    return f"document|{normalize_issuer(issuer)}|{normalize_id_number(id_number)}"


def mask_id_number(number: str) -> str:
    digits = normalize_id_number(number)
    return "•" * max(len(digits) - 4, 0) + digits[-4:]
