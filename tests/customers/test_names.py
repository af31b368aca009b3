import pytest

from kefu.customers import names
from kefu.logging import redact


@pytest.mark.parametrize(
    ("name", "gender", "expected"),
    [
        ("张伟", "male", "张先生"),
        ("王芳", "female", "王女士"),
        ("张伟", "unknown", "张伟您好"),
        ("欧阳明", "male", "欧阳先生"),
        ("司马懿", "female", "司马女士"),
        ("欧阳", "male", "欧先生"),
    ],
)
def test_honorific_uses_the_surname_and_known_gender(name, gender, expected):
    assert names.honorific(name, gender) == expected


def test_greeting_always_ends_with_ninhao():
    assert names.greeting("张伟", "male") == "张先生您好"
    assert names.greeting("张伟", None) == "张伟您好"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("008613912345678", "13912345678"),
        ("8613912345678", "13912345678"),
        ("12912345678", None),
        ("1391234567", None),
        ("139123456789", None),
        ("021-64261234", None),
        ("", None),
        ("abc", None),
    ],
)
def test_mobile_numbers_are_validated_and_normalised(raw, expected):
    assert names.normalise_mobile(raw) == expected


def test_masks_hide_the_middle_of_a_phone_and_the_rest_of_an_address():
    assert names.mask_phone("13912345678") == "139****5678"
    assert names.mask_address("上海市浦东新区张杨路501号") == "上海市浦东新区****"
    assert "张杨路" not in names.mask_address("浦东新区张杨路501号")
    assert names.mask_email("zhang@example.com") == "z***@example.com"


def test_name_pinyin_gives_full_spelling_and_initials():
    assert names.name_pinyin("张伟") == ("zhangwei", "zw")


def test_logs_never_carry_a_full_mobile_number_or_email():
    line = redact("callback for 13912345678 / +86 13812345678, mail zhang.wei@example.com")
    assert "13912345678" not in line and "13812345678" not in line
    assert "139****5678" in line and "zhang.wei@" not in line
