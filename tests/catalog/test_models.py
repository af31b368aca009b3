"""Company 三包 terms per category: seeded from the data, editable, never below the statutory floor."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kefu.catalog.models import ProductCategory, WarrantyTerms, engine_category
from kefu.catalog.selectors import terms_for
from kefu.catalog.services import seed_warranty_terms
from kefu.catalog.terms import CATEGORIES, company_terms, load_terms

pytestmark = pytest.mark.django_db


def row(code="refrigerator") -> WarrantyTerms:
    return WarrantyTerms.objects.select_related("category").get(category__code=code)


def test_every_engine_category_is_seeded_with_the_default_company_terms():
    assert set(WarrantyTerms.objects.values_list("category__code", flat=True)) >= set(CATEGORIES)
    for code in CATEGORIES:
        assert row(code).to_terms() == company_terms(code)
        assert terms_for(code) == company_terms(code)


def test_seeded_rows_carry_seed_002s_policy():
    phone = row("mobile_phone")
    assert (
        phone.no_invoice_offset_months == 6 and phone.paid_repair_on_exclusion
    )  # seed 002: 生产日期 + 6 个月
    assert phone.accessories["battery"] == {"months": 6, "name_zh": "电池"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"return_days": 5}, "return_days"),
        ({"warranty_months": 6}, "warranty_months"),
        ({"main_part_months": 12}, "main_part_months"),
        (
            {"depreciation_daily_rate": Decimal("0.00100")},
            "depreciation_daily_rate",
        ),  # fridge floor 0.05%
        ({"parts_missing_exchange_days": 120}, "parts_missing_exchange_days"),
        ({"main_parts": ""}, "main_parts"),
        ({"durable_goods": False}, "durable_goods"),
        ({"distance_channels": "online"}, "distance_channels"),
        ({"no_invoice_remedies": ""}, "no_invoice_remedies"),
    ],
)
def test_a_term_below_the_statutory_floor_is_refused_on_its_field(changes, field):
    terms = row()
    for name, value in changes.items():
        setattr(terms, name, value)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        terms.full_clean()
    message = " ".join(caught.value.message_dict[field])
    assert "国家三包规定" in message and "不能保存" in message
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        terms.full_clean()
    assert "statutory floor" in " ".join(caught.value.message_dict[field])


def test_phone_no_invoice_rule_cannot_drop_the_production_date_start():
    terms = row("mobile_phone")
    terms.no_invoice_offset_months, terms.no_invoice_offset_days = None, 0
    with pytest.raises(ValidationError) as caught:
        terms.full_clean()
    assert "no_invoice_offset_months" in caught.value.message_dict


def test_save_refuses_below_the_floor_even_without_a_form():
    terms = row("mobile_phone")
    terms.accessories = {**terms.accessories, "battery": {"months": 3, "name_zh": "电池"}}
    with pytest.raises(ValidationError):
        terms.save()
    assert row("mobile_phone").accessories["battery"]["months"] == 6


def test_a_more_generous_company_term_is_saved_and_used():
    terms = row("tv")
    terms.warranty_months, terms.exchange_days, terms.note = 24, 30, "两年整机保修"
    terms.full_clean()
    terms.save()
    built = terms_for("tv")
    assert built.warranty_months == 24 and built.exchange_days == 30 and built.policy == "company"
    assert built.main_part_months == load_terms("tv").main_part_months


def test_terms_built_once_per_row_version():
    assert terms_for("computer") is terms_for("computer")
    terms = row("computer")
    terms.return_days = 10
    terms.save()
    assert terms_for("computer").return_days == 10


def test_a_category_the_engine_does_not_know_is_decided_as_other():
    freezer = ProductCategory.objects.create(code="freezer", name="冰柜")
    assert engine_category("freezer") == "other"
    assert terms_for("freezer") == company_terms("other")  # no row yet: the shipped default
    assert seed_warranty_terms(ProductCategory.objects.all()) == 1
    assert seed_warranty_terms() == 0  # idempotent
    assert WarrantyTerms.objects.get(category=freezer).to_terms() == company_terms("other")


def test_admin_refuses_a_term_below_the_floor_with_a_clear_message(client, users):
    client.force_login(users["admin"])
    terms = row()
    url = f"/admin/catalog/warrantyterms/{terms.pk}/change/"
    page = client.get(url)
    assert (
        page.status_code == 200 and "国家三包规定" in page.content.decode()
    )  # the floor shown beside the form
    form = {
        "note": "",
        "return_days": 3,
        "exchange_days": terms.exchange_days,
        "warranty_months": terms.warranty_months,
        "main_part_months": terms.main_part_months,
        "main_parts": terms.main_parts,
        "accessories": "{}",
        "depreciation_daily_rate": str(terms.depreciation_daily_rate),
        "parts_missing_exchange_days": terms.parts_missing_exchange_days,
        "repairer_delay_exchange_days": terms.repairer_delay_exchange_days,
        "repaired_works_days": terms.repaired_works_days,
        "parts_supply_years": terms.parts_supply_years,
        "distance_return_days": terms.distance_return_days,
        "distance_refund_days": terms.distance_refund_days,
        "distance_channels": terms.distance_channels,
        "defect_burden_months": terms.defect_burden_months,
        "durable_goods": "on",
        "paid_repair_on_exclusion": "on",
        "no_invoice_offset_months": terms.no_invoice_offset_months or "",
        "no_invoice_offset_days": terms.no_invoice_offset_days,
        "no_invoice_remedies": terms.no_invoice_remedies,
    }
    r = client.post(url, form)
    assert r.status_code == 200  # the form again, not a redirect
    assert "低于国家三包规定" in r.content.decode()
    assert row().return_days == 7
    form["return_days"] = 10
    r = client.post(url, form)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert row().return_days == 10
