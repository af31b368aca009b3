import json
from pathlib import Path

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


FORMS = Path(__file__).parent / "data" / "forms_of_address.jsonl"
LABELLED = [json.loads(line) for line in FORMS.read_text("utf-8").splitlines() if line]


@pytest.mark.parametrize("row", LABELLED, ids=lambda r: r["name"] or "empty")
def test_forms_of_address_on_the_labelled_names(row):
    assert names.honorific(row["name"], row["gender"]) == row["expected"]


@pytest.mark.parametrize(
    ("name", "gender"),
    [("阿依古丽·买买提", "female"), ("David Wang", "male"), ("小明", "male"), ("伟", "male")],
)
def test_a_name_without_a_known_surname_never_gets_a_wrong_one(name, gender):
    # Today's main said 阿女士 and D先生; 您 + the full name is never wrong.
    h = names.honorific(name, gender)
    assert h not in ("阿女士", "D先生", "小先生", "伟先生")
    assert h.endswith("您好") or name.split()[-1] in h


def test_compound_surnames_are_data():
    assert {"欧阳", "司马", "诸葛", "上官", "万俟", "第五"} <= names.COMPOUND_SURNAMES


def test_an_agents_correction_wins_in_the_greeting():
    assert names.greeting("阿依古丽·买买提", "female", "阿依古丽女士") == "阿依古丽女士您好"
    assert names.greeting("张伟", "male", "") == "张先生您好"


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


@pytest.mark.parametrize(
    ("name", "gender", "address_as", "expected"),
    [
        ("刘伟", "male", "", "刘先生"),
        ("刘伟", "unknown", "", ""),  # not "刘伟您好": that is a greeting, not a label
        ("阿依古丽·买买提", "female", "", ""),
        ("刘伟", "unknown", "刘老师您好", "刘老师"),
        ("", None, "", ""),
    ],
)
def test_the_address_label_never_reads_as_a_greeting(name, gender, address_as, expected):
    assert names.address_label(name, gender, address_as) == expected


def test_lists_show_no_greeting_where_the_gender_is_unknown(desk, chain):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(name="杜敏", gender="unknown", home_store=chain["stores"]["SH001"])
    page = desk("cs_manager").get("/desk/customers/", {"q": "杜敏"}).content.decode()
    assert f"/desk/customers/{customer.pk}/" in page and "杜敏您好" not in page
    page = desk("cs_manager").get(f"/desk/customers/{customer.pk}/").content.decode()
    assert "杜敏您好" not in page.split("<h1>")[1].split("</h1>")[0]
