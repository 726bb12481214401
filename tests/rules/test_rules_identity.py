"""The check characters of the 身份证号 (GB 11643-1999) and the 统一社会信用代码 (GB 32100-2015)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ducha.rules.identity import (
    credit_code_check,
    credit_code_valid,
    id_kind,
    id_number_check,
    id_number_valid,
    normalise,
    phone_valid,
)

# GB 11643-1999's own example, and the specimen printed on sample cards.
STANDARD_ID = "11010519491231002X"
# The example most often quoted with GB 32100-2015, then the same body under other kinds
# (机关 11, 事业单位 12) with the check characters the standard's formula gives.
CREDIT_CODES = ["91350100M000100Y43", "11350100M000100Y4", "12350100M000100Y4"]


def test_the_standards_examples_pass() -> None:
    assert id_number_valid(STANDARD_ID)
    assert id_number_check(STANDARD_ID[:17]) == "X"
    assert credit_code_valid(CREDIT_CODES[0])
    assert credit_code_check(CREDIT_CODES[0][:17]) == "3"
    for body in CREDIT_CODES[1:]:
        assert credit_code_valid(body + credit_code_check(body))


@pytest.mark.parametrize("text", [
    "11010519491231002",     # 17 characters
    "110105194912310021",    # wrong check character
    "01010519491231002X",    # region code cannot start with 0
    "11010519490231002X",    # 31 February is no birth date
    "11010518991231002X",    # born before 1900
    "1101051949123100X2",    # X only at the end
])
def test_wrong_identity_numbers_fail(text: str) -> None:
    assert not id_number_valid(text)


@pytest.mark.parametrize("text", [
    "91350100M000100Y44",   # wrong check character
    "91350100M000100Y4",    # 17 characters
    "91350100M0001OOY43",   # O is not in the alphabet
    "913501AAM000100Y4X",   # the region code is six digits
])
def test_wrong_credit_codes_fail(text: str) -> None:
    assert not credit_code_valid(text)


@given(st.text("0123456789", min_size=17, max_size=17).filter(lambda s: s[0] != "0"),
       st.integers(0, 16), st.integers(1, 9))
def test_any_single_wrong_digit_of_an_id_number_is_caught(body: str, where: int, shift: int) -> None:
    good = body + id_number_check(body)
    wrong = good[:where] + str((int(good[where]) + shift) % 10) + good[where + 1:]
    assert id_number_check(wrong[:17]) != wrong[17]


ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@given(st.text(ALPHABET, min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 30))
def test_any_single_wrong_character_of_a_credit_code_is_caught(body: str, where: int, shift: int) -> None:
    good = body + credit_code_check(body)
    wrong = good[:where] + ALPHABET[(ALPHABET.index(good[where]) + shift) % 31] + good[where + 1:]
    assert credit_code_check(wrong[:17]) != wrong[17]


def test_kind_and_what_people_type() -> None:
    assert normalise(" 1101 0519 4912 3100 2x ") == STANDARD_ID
    assert normalise("９１３５０１００Ｍ０００１００Ｙ４３") == CREDIT_CODES[0]
    assert id_kind("11010519491231002x") == "person"
    assert id_kind(CREDIT_CODES[0].lower()) == "organisation"
    assert id_kind("123") is None


def test_phone_numbers() -> None:
    assert phone_valid("13800138000")
    assert phone_valid("138 0013 8000")
    assert not phone_valid("12800138000")
    assert not phone_valid("1380013800")


def test_check_functions_refuse_bad_input() -> None:
    with pytest.raises(ValueError):
        id_number_check("1234")
    with pytest.raises(ValueError):
        credit_code_check("I" * 17)
