"""Phone normalisation (checklist D1) and masking (F2): plain functions, no database."""

import re

import pytest
from django.core.exceptions import ValidationError

from chuangwen.lib.pi import mask_name, mask_phone, mask_phones_in, normalise_phone
from chuangwen.lib.pi.phone import INVALID_MESSAGE, REQUIRED_MESSAGE


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits from a Chinese IME
        ("  19912345678\t", "19912345678"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("(010) 6234 5678", "010-62345678"),
        ("（０２１）６２３４５６７８", "021-62345678"),
        ("0755-2345678", "0755-2345678"),
        ("075582345678", "0755-82345678"),
        ("0371—6123 4567", "0371-61234567"),
        ("+86 10 6234 5678", "010-62345678"),
        ("+86 755 8123 4567", "0755-81234567"),
    ],
)
def test_valid_numbers_normalise(typed, normal):
    assert normalise_phone(typed) == normal


@pytest.mark.parametrize(
    "typed",
    [
        "12812345678",  # no mobile prefix 12
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "23812345678",
        "12345",  # the hotline, not a person
        "400-123-4567",
        "95588",
        "010-6234567",  # three-digit area codes have eight-digit numbers
        "010-12345678",  # local numbers start with 2-9 (1 is for service numbers)
        "010-02345678",  # local numbers do not start with 0
        "0755-123456",  # too short
        "0755-123456789",  # too long
        "1381234567８a",
        "138 1234 5678 转 8001",
        "+1 415 555 0100",
        "+86 0755",
        "电话13812345678",
    ],
)
def test_invalid_numbers_are_refused_in_chinese(typed):
    with pytest.raises(ValidationError) as exc:
        normalise_phone(typed)
    assert exc.value.messages == [INVALID_MESSAGE]
    assert exc.value.code == "invalid_phone"
    assert "手机号码" in INVALID_MESSAGE and "区号" in INVALID_MESSAGE


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_an_empty_number_is_required(typed):
    with pytest.raises(ValidationError) as exc:
        normalise_phone(typed)
    assert exc.value.messages == [REQUIRED_MESSAGE] and exc.value.code == "required"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("010-62345678", "010-****5678"),
        ("0755-2345678", "0755-***5678"),
        ("075582345678", "0755-****5678"),
        ("", ""),
        (None, ""),
        # Not a valid phone: never more than the last four digits.
        ("12345", "****"),
        ("99912345678", "****5678"),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三丰", "张**"),
        ("李四", "李*"),
        ("欧阳娜娜", "欧***"),
        ("买买提·吐尔逊", "买**·***"),
        (" 王五 ", "王*"),
        ("明", "*"),
        ("", ""),
        (None, ""),
        ("Li Lei", "L* ***"),
    ],
)
def test_mask_name_keeps_the_first_character_only(value, masked):
    assert mask_name(value) == masked


def test_free_text_never_carries_a_full_number():
    text = mask_phones_in("已回拨 13812345678,另留 010-6234 5678 和 +86 139 1234 5678;工单 123456")
    assert not re.search(r"1[3-9]\d{9}|\d{7,}", text.replace("-", "").replace(" ", ""))
    assert "138****5678" in text and "010-****5678" in text and "139****5678" in text
    assert "工单 123456" in text  # short numbers are not phones
