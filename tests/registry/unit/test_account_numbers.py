"""Account numbers carry ISO 7064 MOD 97-10 check digits, validated on input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registry.domain.account_numbers import (
    is_valid_account_number,
    make_account_number,
    normalize_account_number,
)
from services.registry.domain.errors import InvalidAccountNumber

numbers = st.builds(make_account_number, st.sampled_from(["CA", "QC", "NS"]), st.integers(1, 99_999_999))


@given(numbers)
def test_issued_numbers_validate_and_normalize_from_any_spelling(number):
    assert is_valid_account_number(number)
    assert normalize_account_number(number.lower().replace("-", " ")) == number


@given(numbers, st.data())
def test_any_single_mistyped_character_is_detected(number, data):
    compact = number.replace("-", "")
    index = data.draw(st.integers(0, len(compact) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if index < 2 else "0123456789"
    wrong = data.draw(st.sampled_from([c for c in alphabet if c != compact[index]]))
    assert not is_valid_account_number(compact[:index] + wrong + compact[index + 1:])


@given(numbers, st.data())
def test_a_swap_of_two_adjacent_digits_is_detected(number, data):
    compact = number.replace("-", "")
    index = data.draw(st.integers(2, len(compact) - 2))
    if compact[index] == compact[index + 1]:
        return
    swapped = compact[:index] + compact[index + 1] + compact[index] + compact[index + 2:]
    assert not is_valid_account_number(swapped)


@pytest.mark.parametrize("raw", ["", "CA", "CA-1-00", "XX-0000000A-00", "CA-00000001-720", "12-00000001-72"])
def test_malformed_numbers_are_refused_with_a_stable_code(raw):
    with pytest.raises(InvalidAccountNumber) as error:
        normalize_account_number(raw)
    assert error.value.code == "invalid_account_number" and error.value.status == 422
