"""One person, one credential: fingerprints of normalised material; documents judged by content."""

from __future__ import annotations

from datetime import date

import pytest

from services.identity.adapters.crypto import Fingerprints, Totp
from services.identity.domain import errors
from services.identity.domain.documents import check_document, safe_filename, sniff_content_type
from services.identity.domain.person import (
    document_material,
    mask_id_number,
    normalize_name,
    person_material,
)


@pytest.mark.parametrize("variant", ["ZOE OBRIEN SMITH", "  zoe   o'brien  smith ", "Zoe O’Brien Smith"])
def test_spellings_of_one_name_are_one_person(variant):
    assert normalize_name(variant) == normalize_name("Zoë O'Brien-Smith") == "zoe obrien smith"


def test_the_fingerprint_is_a_keyed_hash_of_name_birth_date_and_of_id_number_issuer():
    keys = Fingerprints("secret-1")
    same = keys.of(person_material("Zoë O'Brien", date(1980, 1, 2)))
    assert same == keys.of(person_material("ZOE OBRIEN", date(1980, 1, 2)))
    assert same != keys.of(person_material("ZOE OBRIEN", date(1980, 1, 3)))
    assert same != Fingerprints("secret-2").of(person_material("Zoë O'Brien", date(1980, 1, 2)))
    assert len(same) == 64 and "obrien" not in same
    assert keys.of(document_material("AB 123-456", "California DMV")) == keys.of(document_material("ab123456",
                                                                                                   "california dmv"))
    assert mask_id_number("AB 123-456") == "••••3456"


@pytest.mark.parametrize(
    ("head", "content_type"),
    [(b"%PDF-1.4 ...", "application/pdf"), (b"\x89PNG\r\n\x1a\n....", "image/png"),
     (b"\xff\xd8\xff\xe0..", "image/jpeg"), (b"GIF89a", None), (b"<html>", None), (b"MZ\x90", None)],
)
def test_content_type_comes_from_the_magic_bytes(head, content_type):
    assert sniff_content_type(head) == content_type


def test_documents_that_are_empty_too_large_or_of_another_type_are_refused():
    with pytest.raises(errors.InvalidInput):
        check_document(b"", 100)
    with pytest.raises(errors.DocumentTooLarge):
        check_document(b"%PDF-" + b"x" * 200, 100)
    with pytest.raises(errors.UnsupportedDocumentType):
        check_document(b"#!/bin/sh\nrm -rf /", 100)
    assert check_document(b"%PDF-1.7 small", 100) == "application/pdf"
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename('C:\\x\\evil"<name>.pdf') == "evilname.pdf"


def test_a_totp_code_is_accepted_once_and_only_near_its_time():
    from datetime import UTC, datetime, timedelta

    import pyotp

    secret = Totp.new_secret()
    at = datetime(2026, 11, 23, 12, 0, 10, tzinfo=UTC)
    code = pyotp.TOTP(secret).at(at)
    step = Totp.matching_step(secret, code, at, None)
    assert step is not None
    assert Totp.matching_step(secret, code, at, step) is None  # replay
    assert Totp.matching_step(secret, code, at + timedelta(seconds=30), None) == step  # one step of drift
    assert Totp.matching_step(secret, code, at + timedelta(minutes=2), None) is None
    assert Totp.matching_step(secret, "12345", at, None) is None
