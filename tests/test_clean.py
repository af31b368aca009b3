"""Cleaning typed input: one behaviour for every app and both databases."""

from decimal import Decimal

import pytest
from django.utils import translation

from kefu import clean
from kefu.errors import InvalidInput
from kefu.tickets.models import Priority


def test_text_strips_drops_nul_and_refuses_empty_or_long():
    assert clean.text("  冰箱\x00不制冷 ", "subject", max_length=10) == "冰箱不制冷"
    assert clean.text(None, "note", required=False, max_length=10) == ""
    with pytest.raises(InvalidInput) as err:
        clean.text(" \x00 ", "subject", max_length=10)
    assert err.value.field == "subject"
    with pytest.raises(InvalidInput):
        clean.text("长" * 11, "subject", max_length=10)


def test_choice_names_the_allowed_values():
    assert clean.choice("high", Priority, "priority") == "high"
    with pytest.raises(InvalidInput) as err:
        clean.choice("asap", Priority, "priority")
    assert "asap" in err.value.text() and "urgent" in err.value.text()


@pytest.mark.parametrize(
    ("value", "expected"), [("3999", "3999.00"), (" 0.5 ", "0.50"), (Decimal("12.30"), "12.30")]
)
def test_money_is_yuan_to_the_fen(value, expected):
    assert clean.money(value, "price") == Decimal(expected)


@pytest.mark.parametrize(
    "value", ["abc", "-1", "0.001", "NaN", "Infinity", "1e10", "9" * 40, "1e999999"]
)
def test_money_refuses_what_is_not_an_amount_without_crashing(value):
    with pytest.raises(InvalidInput) as err:
        clean.money(value, "price")
    assert err.value.field == "price" and err.value.status == 422


def test_positive_money_refuses_zero_with_its_own_message():
    assert clean.money("0", "fee") == Decimal("0.00")
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as err:
        clean.money("0", "amount", positive=True)
    assert err.value.text().startswith("金额：")  # the field named in Chinese
