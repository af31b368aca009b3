"""三包 engine: seed 002's thirteen situations, one test per rule id, terms, parsing, scripts."""

import json
import re
import sys
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from kefu.aftersales.policy import (
    _PARAM_GETTERS,
    CASE_FIELDS,
    RULE_IDS,
    STATUTORY_RULE_IDS,
    TEXTS,
    Case,
    CaseError,
    adjudicate,
    depreciation_fee,
    parse_case,
    warranty_after_exchange,
    warranty_dates,
)
from kefu.catalog.terms import (
    CATEGORIES,
    TermsError,
    add_months,
    apply_company_policy,
    company_terms,
    load_terms,
)
from tests.aftersales.forbidden import FORBIDDEN

SALE = date(2026, 3, 2)  # a Monday
PRICE = Decimal("3999.00")


def never_holiday(day: date) -> bool:
    return False


def case(category="refrigerator", *, days=0, **facts) -> Case:
    """A case bought on SALE for PRICE and brought in ``days`` later."""
    facts.setdefault("price", PRICE)
    facts.setdefault("sale_date", SALE)
    facts.setdefault("request_date", facts["sale_date"] + timedelta(days=days))
    return Case(category=category, **facts)


def decide(c: Case, *, statutory=False):
    terms = load_terms(c.category) if statutory else company_terms(c.category)
    return adjudicate(c, terms, is_holiday=never_holiday)


def assert_polite(script: str) -> None:
    assert "您" in script and "请" in script
    assert "你" not in script
    for phrase in FORBIDDEN:
        assert phrase not in script


# --------------------------------------------------------------- seed 002's thirteen situations


def test_situation_01_past_15_days_first_fault_gets_free_repair():
    d = decide(case(days=24, wish="exchange"))
    assert d.remedies == ("repair",)
    assert d.recommended == "repair" and d.free
    assert d.depreciation_fee == 0 and d.refund is None
    assert "R-PERIOD" in d.rule_ids and "R-15D" not in d.rule_ids and "R-7D" not in d.rule_ids
    assert "暂不符合退换货的条件" in d.script and "严格培训" in d.script


def test_situation_02_exchange_due_but_insists_on_return_pays_depreciation():
    d = decide(case("washing_machine", price=Decimal("2999.00"), days=10, wish="return"))
    assert d.remedies == ("return", "exchange", "repair")
    assert d.recommended == "exchange" and d.free
    # 2999.00 × 0.05% × 10 days = 14.995 → 15.00 (half up)
    assert d.depreciation_fee == Decimal("15.00")
    assert d.refund == Decimal("2984.00")
    assert {"R-15D", "R-RETURN-DEP", "R-DEP", "R-RESTART"} <= set(d.rule_ids)
    assert "折旧费15.00元" in d.script and "更划算" in d.script


def test_situation_03_fear_of_repair_is_answered_with_repair_quality():
    d = decide(case(days=40, reason="fear_of_repair"))
    assert d.remedies == ("repair",)
    assert d.recommended == "repair" and d.free and d.depreciation_fee == 0
    assert "R-REPAIR-QUALITY" in d.rule_ids
    assert "使用寿命没有影响" in d.script


def test_situation_04_works_fine_changed_mind_past_15_days_no_return_or_exchange():
    d = decide(case(days=30, fault="none", reason="changed_mind", wish="return"))
    assert d.remedies == ()
    assert d.recommended is None and not d.free
    assert d.depreciation_fee == 0 and d.refund is None
    assert "R-NO-FAULT" in d.rule_ids
    assert "二手" in d.script


def test_situation_05_sample_unit_disclosed_defect_not_covered_but_performance_faults_are():
    disclosed = decide(
        case(days=20, fault="cosmetic", sample_unit_disclosed_defect=True, wish="exchange")
    )
    assert disclosed.remedies == ("paid_repair",)
    assert disclosed.recommended == "paid_repair" and not disclosed.free
    assert disclosed.depreciation_fee == 0
    assert "R-SAMPLE" in disclosed.rule_ids and "R-PERIOD" not in disclosed.rule_ids
    other_fault = decide(case(days=20, fault="performance"))
    assert other_fault.remedies == ("repair",) and other_fault.free


def test_situation_06_price_drop_is_no_ground_for_return():
    d = decide(case(days=5, fault="none", reason="price_drop", wish="return"))
    assert d.remedies == ()
    assert d.recommended is None and not d.free and d.refund is None
    assert d.rule_ids[0] == "R-PRICE-DROP" and "R-7D" not in d.rule_ids
    assert "价格变动不属于" in d.script


def test_situation_07_exchange_through_other_channels_refused_repair_and_visit_offered():
    d = decide(case(days=60, wish="exchange", reason="other_channel"))
    assert d.remedies == ("repair",)
    assert d.recommended == "repair" and d.free and d.depreciation_fee == 0
    assert {"R-OTHER-CHANNEL", "R-PERIOD"} <= set(d.rule_ids)
    assert "上门" in d.script


def test_situation_08_transport_cosmetic_damage_gets_compensation_not_exchange():
    d = decide(case(days=1, fault="transport_cosmetic", wish="exchange"))
    assert d.remedies == ("repair", "compensation")
    assert d.recommended == "compensation" and d.free and d.depreciation_fee == 0
    assert "R-TRANSPORT-COSMETIC" in d.rule_ids and "R-7D" not in d.rule_ids
    assert "不再列入保修范围" in d.script


def test_situation_09_discontinued_over_5_years_parts_obsolete_new_unit_or_trade_in():
    d = decide(
        case(
            sale_date=date(2016, 5, 10),
            request_date=SALE,
            discontinued_date=date(2018, 1, 1),
            parts_available=False,
            wish="exchange",
        )
    )
    assert d.remedies == ("trade_in",)
    assert d.recommended == "trade_in" and not d.free
    assert d.depreciation_fee == PRICE  # ~10 years at 0.05 % a day: capped at the price
    assert {"R-OUT-OF-PERIOD", "R-PARTS-5Y", "R-DEP"} <= set(d.rule_ids)
    assert "超过5年" in d.script and "购置新机" in d.script


def test_situation_10_repaired_twice_still_failing_exchange_same_model_other_model_with_depreciation():
    d = decide(case(days=154, failed_repairs=2, repair_days=20, wish="return"))
    assert d.remedies == ("return", "exchange", "repair")
    assert d.recommended == "exchange" and d.free
    # 3999.00 × 0.05 % × (154 − 20 days in repair) = 267.933
    assert d.depreciation_fee == Decimal("267.93")
    assert d.refund == Decimal("3731.07")
    assert {"R-2REPAIR", "R-RETURN-DEP", "R-DEP", "R-RESTART"} <= set(d.rule_ids)
    assert "其他型号" in d.script


def test_situation_11_parts_obsolete_within_warranty_exchange_same_model():
    d = decide(case(days=91, parts_available=False))
    assert d.remedies == ("return", "exchange")
    assert d.recommended == "exchange" and d.free
    assert d.depreciation_fee == Decimal("181.95")  # only if the customer insists on a return
    assert {"R-PARTS-OBSOLETE", "R-RETURN-DEP", "R-RESTART"} <= set(d.rule_ids)


def test_situation_11_parts_obsolete_outside_warranty_trade_in_with_depreciation():
    d = decide(
        case(sale_date=date(2024, 3, 1), request_date=date(2026, 3, 1), parts_available=False)
    )
    assert d.remedies == ("trade_in",)
    assert d.recommended == "trade_in" and not d.free
    assert d.depreciation_fee == Decimal("1459.64")  # 3999.00 × 0.05 % × 730 days
    assert {"R-OUT-OF-PERIOD", "R-PARTS-5Y", "R-DEP"} <= set(d.rule_ids)


def test_situation_12_no_invoice_receipt_only_warranty_from_production_date_plus_6_months():
    facts = dict(
        days=3,
        has_invoice=False,
        has_warranty_card=False,
        production_date=date(2025, 12, 15),
        wish="return",
    )
    d = decide(case(**facts))
    assert d.remedies == ("repair",)
    assert d.recommended == "repair" and d.free and d.refund is None and d.depreciation_fee == 0
    assert d.rule_ids[0] == "R-NOINV"
    assert d.warranty.start == date(2026, 6, 15) and d.warranty.end == date(2027, 6, 15)
    assert "补开发票" in d.script and "6个月" in d.script
    floor = decide(case(**facts), statutory=True)  # the 1995 rule alone: paid repair only
    assert floor.remedies == ("paid_repair",) and floor.warranty.start is None


def test_situation_13_paid_above_guide_price_referred_to_selling_store():
    d = decide(case(days=20, fault="none", above_guide_price=True, wish="return"))
    assert d.remedies == ("refer_to_seller",)
    assert d.recommended == "refer_to_seller" and not d.free and d.depreciation_fee == 0
    assert "R-REFER-SELLER" in d.rule_ids
    assert "原购买商场" in d.script and "消费者权益保护法" in d.script


# --------------------------------------------------------------- one test per rule id


def test_rule_R_7D_performance_fault_within_7_days_return_exchange_or_repair():
    d = decide(case(days=7, wish="return"), statutory=True)
    assert d.remedies == ("return", "exchange", "repair")
    assert d.recommended == "return" and d.free
    assert d.refund == PRICE and d.depreciation_fee == 0
    assert d.rules[0].reason.startswith("购买7日内出现性能故障，可选择退货、换货或修理")
    assert "R-7D" not in decide(case(days=8), statutory=True).rule_ids


def test_rule_R_15D_performance_fault_on_days_8_to_15_exchange_or_repair():
    d = decide(case(days=15, wish="exchange"), statutory=True)
    assert "R-15D" in d.rule_ids and d.recommended == "exchange"
    assert {"exchange", "repair"} <= set(d.remedies)
    assert "R-15D" not in decide(case(days=16), statutory=True).rule_ids
    cosmetic = decide(case(days=10, fault="cosmetic"), statutory=True)
    assert "R-15D" not in cosmetic.rule_ids and cosmetic.remedies == ("repair",)


def test_rule_R_PERIOD_free_repair_inside_whole_unit_and_main_part_periods():
    inside = decide(case(days=200), statutory=True)
    assert inside.remedies == ("repair",) and inside.free and "R-PERIOD" in inside.rule_ids
    main_part = decide(case(days=800, part="main_part"), statutory=True)
    assert main_part.remedies == ("repair",) and "压缩机" in main_part.rules[0].reason
    whole = decide(case(days=800), statutory=True)
    assert whole.remedies == ("paid_repair",) and "R-PERIOD" not in whole.rule_ids


def test_rule_R_PERIOD_phone_battery_has_its_own_6_month_period():
    battery = decide(case("mobile_phone", days=200, part="battery"), statutory=True)
    assert battery.remedies == ("paid_repair",) and "电池" in battery.script
    host = decide(case("mobile_phone", days=200), statutory=True)
    assert host.remedies == ("repair",)


def test_rule_R_2REPAIR_two_failed_repairs_in_period_exchange():
    once = decide(case(days=100, failed_repairs=1), statutory=True)
    assert once.remedies == ("repair",)
    twice = decide(case(days=100, failed_repairs=2), statutory=True)
    assert "R-2REPAIR" in twice.rule_ids and twice.recommended == "exchange"
    phone_no_stock = decide(
        case("mobile_phone", days=100, failed_repairs=2, same_model_available=False, wish="return"),
        statutory=True,
    )
    assert phone_no_stock.recommended == "return" and phone_no_stock.refund == PRICE
    assert phone_no_stock.depreciation_fee == 0


def test_rule_R_PARTS_repair_waiting_for_parts_beyond_threshold_exchange():
    assert "R-PARTS" not in decide(case(days=120, parts_wait_days=90), statutory=True).rule_ids
    d = decide(case(days=120, parts_wait_days=91), statutory=True)
    assert "R-PARTS" in d.rule_ids and d.recommended == "exchange" and d.free
    phone = decide(case("mobile_phone", days=120, parts_wait_days=61), statutory=True)
    assert "R-PARTS" in phone.rule_ids


def test_rule_R_REPAIRER_30_repairers_own_delay_over_30_days_exchange():
    assert (
        "R-REPAIRER-30"
        not in decide(case(days=60, repairer_delay_days=30), statutory=True).rule_ids
    )
    d = decide(case(days=60, repairer_delay_days=31), statutory=True)
    assert "R-REPAIRER-30" in d.rule_ids and d.recommended == "exchange"


def test_rule_R_RETURN_NOSAME_no_same_model_return_with_full_refund():
    d = decide(case(days=12, same_model_available=False, wish="return"), statutory=True)
    assert "R-RETURN-NOSAME" in d.rule_ids and "R-RETURN-DEP" not in d.rule_ids
    assert d.recommended == "return" and d.free
    assert d.refund == PRICE and d.depreciation_fee == 0


def test_rule_R_EXCH_OTHER_no_same_model_exchange_another_model_settling_difference():
    d = decide(case(days=12, same_model_available=False, wish="exchange"), statutory=True)
    assert "R-EXCH-OTHER" in d.rule_ids and d.recommended == "exchange"
    assert "差价多退少补" in d.script


def test_rule_R_RETURN_DEP_same_model_available_return_costs_depreciation():
    d = decide(case("air_conditioner", days=12, wish="return"), statutory=True)
    assert "R-RETURN-DEP" in d.rule_ids
    assert d.depreciation_fee == Decimal("47.99")  # 3999.00 × 0.1 % × 12 = 47.988
    assert d.refund == Decimal("3951.01")


def test_rule_R_DEP_depreciation_rounds_half_up_excludes_repair_days_and_is_capped():
    assert depreciation_fee(Decimal("10.00"), Decimal("0.0005"), 1) == Decimal(
        "0.01"
    )  # 0.005 → 0.01
    assert depreciation_fee(Decimal("100.00"), Decimal("0.005"), 1000) == Decimal("100.00")
    assert depreciation_fee(Decimal("100.00"), Decimal("0.005"), -3) == Decimal("0.00")
    d = decide(case("computer", days=14, repair_days=4, wish="return"), statutory=True)
    assert "R-DEP" in d.rule_ids
    assert d.depreciation_fee == Decimal("99.98")  # 3999.00 × 0.25 % × (14 − 4) = 99.975


def test_rule_R_RESTART_exchange_restarts_a_full_period_repair_does_not():
    w = warranty_after_exchange(date(2026, 5, 31), load_terms("tv"), is_holiday=never_holiday)
    assert (w.start, w.end, w.main_parts_end) == (
        date(2026, 5, 31),
        date(2027, 5, 31),
        date(2029, 5, 31),
    )
    assert "R-RESTART" in decide(case(days=3), statutory=True).rule_ids
    assert "R-RESTART" not in decide(case(days=40), statutory=True).rule_ids


def test_rule_R_START_period_from_invoice_extended_by_repair_and_waiting_days():
    d = decide(case("tv", days=100, repair_days=10, parts_wait_days=5), statutory=True)
    assert d.warranty.start == SALE
    assert d.warranty.end == date(2027, 3, 17) and d.warranty.main_parts_end == date(2029, 3, 17)
    assert "R-START" in d.rule_ids


def test_rule_R_START_end_on_a_public_holiday_moves_to_next_working_day():
    bought = case("mobile_phone", sale_date=date(2025, 10, 1), request_date=date(2025, 10, 20))
    w = warranty_dates(bought, load_terms("mobile_phone"))  # chinese_calendar: 国庆 1–7 Oct 2026
    assert w.end == date(2026, 10, 8)
    assert warranty_dates(bought, load_terms("mobile_phone"), is_holiday=never_holiday).end == date(
        2026, 10, 1
    )
    far = case(sale_date=date(2030, 10, 1), request_date=date(2030, 10, 2))  # no calendar data yet
    assert warranty_dates(far, load_terms("refrigerator")).end == date(2031, 10, 1)


def test_rule_R_START_months_are_clamped_to_the_month_end():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_rule_R_NOINV_no_invoice_rules_per_category():
    nothing = decide(case(days=30, has_invoice=False, has_warranty_card=False), statutory=True)
    assert nothing.remedies == ("paid_repair",) and nothing.warranty.start is None
    card = decide(case(days=3, has_invoice=False, wish="return"), statutory=True)
    assert card.remedies == ("repair",) and card.warranty.start == SALE
    phone = decide(
        case(
            "mobile_phone",
            days=30,
            has_invoice=False,
            has_warranty_card=False,
            production_date=date(2026, 1, 1),
        ),
        statutory=True,
    )
    assert phone.warranty.start == date(2026, 4, 1) and phone.remedies == (
        "repair",
    )  # 生产日期后第90日
    pc = decide(case("computer", days=10, has_invoice=False, wish="exchange"), statutory=True)
    assert pc.remedies == ("exchange", "repair") and pc.recommended == "exchange"
    assert all(d.rule_ids[0] == "R-NOINV" for d in (nothing, card, phone, pc))


def test_rule_R_EXCL_misuse_is_not_covered_and_company_offers_paid_repair():
    floor = decide(case(days=3, fault="misuse", wish="return"), statutory=True)
    assert floor.remedies == () and "R-EXCL" in floor.rule_ids and "R-7D" not in floor.rule_ids
    company = decide(case(days=3, fault="unauthorised_repair"))
    assert company.remedies == ("paid_repair",) and not company.free
    assert "非承担三包的修理者拆动" in company.script


def test_rule_R_PARTS_5Y_parts_owed_for_5_years_after_discontinuation():
    expired = decide(case(days=800, discontinued_date=date(2020, 1, 1), parts_available=False))
    owed = decide(case(days=800, discontinued_date=date(2025, 1, 1), parts_available=False))
    assert expired.remedies == owed.remedies == ("trade_in",)
    assert any("已超过5年" in r.reason for r in expired.rules)
    assert any("停产后5年内提供备件" in r.reason for r in owed.rules)


def test_rule_R_CRPL24_goods_without_national_rule_return_in_7_days_then_exchange_or_repair():
    early = decide(
        case("other", days=20, receipt_date=SALE + timedelta(days=15), wish="return"),
        statutory=True,
    )
    assert early.remedies == ("return", "exchange", "repair") and early.refund == PRICE
    assert early.recommended == "return" and "运输等必要费用由经营者承担" in early.rules[0].reason
    later = decide(case("other", days=30), statutory=True)
    assert later.remedies == ("exchange", "repair") and "R-CRPL24" in later.rule_ids
    assert "R-15D" not in later.rule_ids


def test_rule_R_CRPL25_distance_sale_return_without_reason_within_7_days_of_receipt():
    bought_online = dict(
        channel="online",
        fault="none",
        reason="changed_mind",
        wish="return",
        receipt_date=SALE + timedelta(days=3),
    )
    d = decide(case(days=10, **bought_online), statutory=True)
    assert d.remedies == ("return",) and d.recommended == "return" and d.refund == PRICE
    assert "R-CRPL25" in d.rule_ids and "退回的运费需要您承担" in d.script
    assert decide(case(days=11, **bought_online), statutory=True).remedies == ()
    assert decide(case(days=5, goods_intact=False, **bought_online), statutory=True).remedies == ()
    assert decide(case(days=5, fault="none", reason="changed_mind"), statutory=True).remedies == ()


def test_rule_R_CRPL23_durable_goods_defect_within_6_months_burden_on_business():
    assert "R-CRPL23" in decide(case(days=180), statutory=True).rule_ids
    assert "R-CRPL23" not in decide(case(days=200), statutory=True).rule_ids
    assert "R-CRPL23" not in decide(case("other", days=30), statutory=True).rule_ids


def test_rule_R_PARTS_OBSOLETE_parts_gone_inside_period_exchange():
    d = decide(case(days=60, parts_available=False), statutory=True)
    assert "R-PARTS-OBSOLETE" in d.rule_ids and d.recommended == "exchange"
    assert "repair" not in d.remedies


def test_rule_R_OUT_OF_PERIOD_paid_repair_after_the_period():
    d = decide(case(days=400), statutory=True)
    assert d.remedies == ("paid_repair",) and not d.free and "R-OUT-OF-PERIOD" in d.rule_ids


def test_rule_R_SAMPLE_disclosed_defect_of_sample_unit():
    d = decide(case(days=2, fault="cosmetic", sample_unit_disclosed_defect=True, wish="return"))
    assert d.remedies == ("paid_repair",) and "R-SAMPLE" in d.rule_ids


def test_rule_R_PRICE_DROP_price_drop_is_not_a_return_ground():
    d = decide(case(days=12, fault="none", reason="price_drop", wish="return"))
    assert "return" not in d.remedies and "R-PRICE-DROP" in d.rule_ids


def test_rule_R_TRANSPORT_COSMETIC_compensation_offered():
    d = decide(case(days=400, fault="transport_cosmetic"))
    assert d.remedies == ("paid_repair", "compensation") and d.recommended == "compensation"


def test_rule_R_REFER_SELLER_unauthorised_dealer_referred_to_seller():
    d = decide(case(days=100, authorised_dealer=False, wish="exchange"))
    assert d.remedies == ("repair", "refer_to_seller") and d.recommended == "refer_to_seller"
    assert "授权经销商" in d.script


def test_rule_R_NO_FAULT_product_passes_inspection():
    d = decide(case(days=9, fault="none", wish="exchange"))
    assert d.remedies == () and "R-NO-FAULT" in d.rule_ids


def test_rule_R_OTHER_CHANNEL_no_exchange_outside_the_rules():
    d = decide(case(days=100, reason="other_channel", wish="exchange"))
    assert "R-OTHER-CHANNEL" in d.rule_ids and d.recommended == "repair"


def test_rule_R_REPAIR_QUALITY_reassures_on_paid_repairs_too():
    d = decide(case(days=500, reason="fear_of_repair"))
    assert d.remedies == ("paid_repair",) and "R-REPAIR-QUALITY" in d.rule_ids


def test_every_rule_id_has_a_named_test_and_a_chinese_reason():
    names = {name for name in dir(sys.modules[__name__]) if name.startswith("test_rule_")}
    for rule in RULE_IDS:
        prefix = "test_rule_" + rule.replace("-", "_") + "_"
        assert any(n.startswith(prefix) for n in names), rule
        assert TEXTS[rule]["reason"]
    domain = re.findall(
        r"R-[A-Z0-9-]+[A-Z0-9]",
        "R-7D R-15D R-PERIOD R-2REPAIR R-PARTS R-REPAIRER-30 "
        "R-RETURN-NOSAME R-EXCH-OTHER R-RETURN-DEP R-DEP R-RESTART R-START R-NOINV R-EXCL "
        "R-PARTS-5Y R-CRPL24 R-CRPL25 R-CRPL23",
    )
    assert tuple(domain) == STATUTORY_RULE_IDS


# --------------------------------------------------------------- the decision's JSON shape


def test_decision_to_dict_matches_the_api_shape():
    out = decide(case(days=4, customer_honorific="张先生")).to_dict()
    assert set(out) == {
        "remedies",
        "recommended",
        "free",
        "depreciation_fee",
        "refund",
        "warranty",
        "rules",
        "script",
    }
    assert out["depreciation_fee"] == "0.00" and out["refund"] == "3999.00"
    assert out["warranty"] == {
        "start": "2026-03-02",
        "end": "2027-03-02",
        "main_parts_end": "2029-03-02",
    }
    assert out["rules"][0] == {
        "id": "R-7D",
        "title": "7日退换修",
        "reason": "购买7日内出现性能故障，可选择退货、换货或修理；退货按发票价格全额退款，不收折旧费",
    }
    assert out["script"].startswith("张先生您好，")
    json.dumps(out, ensure_ascii=False)


def test_script_without_a_name_opens_with_plain_greeting():
    assert decide(case(days=40)).script.startswith("您好，")


def test_adjudicate_refuses_terms_of_another_category():
    with pytest.raises(ValueError):
        adjudicate(case("tv"), load_terms("refrigerator"))


# --------------------------------------------------------------- scripts: polite, no forbidden phrase

SITUATION_CASES = [
    case(days=24, wish="exchange"),
    case("washing_machine", days=10, wish="return"),
    case(days=40, reason="fear_of_repair", customer_honorific="李女士"),
    case(days=30, fault="none", reason="changed_mind", wish="return"),
    case(days=20, fault="cosmetic", sample_unit_disclosed_defect=True),
    case(days=5, fault="none", reason="price_drop"),
    case(days=60, wish="exchange", reason="other_channel"),
    case(days=1, fault="transport_cosmetic"),
    case(
        sale_date=date(2016, 5, 10),
        request_date=SALE,
        discontinued_date=date(2018, 1, 1),
        parts_available=False,
    ),
    case(days=154, failed_repairs=2, repair_days=20, wish="return"),
    case(days=91, parts_available=False),
    case(days=3, has_invoice=False, has_warranty_card=False, production_date=date(2025, 12, 15)),
    case(days=20, fault="none", above_guide_price=True, authorised_dealer=False, wish="return"),
    case(days=3, fault="force_majeure"),
    case("mobile_phone", days=30, has_invoice=False, has_warranty_card=False),
    case("other", days=3, channel="online"),
    case("computer", days=200, repairer_delay_days=40, same_model_available=False),
]


@pytest.mark.parametrize("c", SITUATION_CASES)
@pytest.mark.parametrize("statutory", [False, True])
def test_every_script_is_polite_and_free_of_forbidden_phrases(c, statutory):
    assert_polite(decide(c, statutory=statutory).script)


def test_every_placeholder_in_the_text_table_is_known():
    def strings(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, str):
            yield node

    table = {key: value for key, value in TEXTS.items() if key != "_comment"}
    used = {name for text in strings(table) for name in re.findall(r"\{(\w+)\}", text)}
    assert used and used <= set(_PARAM_GETTERS)


def test_rule_text_table_has_no_forbidden_phrase_and_no_bare_ni():
    text = json.dumps(TEXTS, ensure_ascii=False)
    assert "你" not in text
    assert not [p for p in FORBIDDEN if p in text]


# --------------------------------------------------------------- terms and the company overlay


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_has_valid_statutory_terms(category):
    terms = load_terms(category)
    assert terms.category == category and terms.policy == "statutory"
    assert terms.return_days == 7 and terms.warranty_months >= 12
    assert company_terms(category).policy == "company"


def test_terms_from_consumer_guides_are_marked_to_confirm():
    for category in ("refrigerator", "washing_machine", "air_conditioner"):
        assert {"warranty_months", "main_part_months", "depreciation_daily_rate"} <= set(
            load_terms(category).to_confirm
        )
    assert "depreciation_daily_rate" in load_terms("computer").to_confirm
    assert "depreciation_daily_rate" in load_terms("mobile_phone").to_confirm
    assert load_terms("tv").to_confirm == {}  # rule text: 0.1 % a day, 1 y / 3 y
    assert load_terms("tv").depreciation_daily_rate == Decimal("0.001")
    assert load_terms("mobile_phone").parts_missing_exchange_days == 60


def test_load_terms_refuses_unknown_category():
    with pytest.raises(TermsError) as err:
        load_terms("household_car")
    assert err.value.field == "category" and "未知品类" in err.value.message_zh


def test_default_company_policy_is_seed_002s():
    terms = company_terms("refrigerator")
    assert terms.no_invoice.production_offset_months == 6 and terms.paid_repair_on_exclusion
    # Six months from production beats the phone rule's 90 days, so the overlay is accepted.
    assert company_terms("mobile_phone").no_invoice.production_offset_months == 6


def test_company_policy_may_be_more_generous():
    kinder = apply_company_policy(
        load_terms("tv"),
        {
            "warranty_months": 24,
            "depreciation_daily_rate": "0.0005",
            "exchange_days": 30,
            "paid_repair_on_exclusion": True,
        },
    )
    assert kinder.warranty_months == 24 and kinder.exchange_days == 30
    assert decide(case("tv", days=25, wish="exchange"), statutory=True).recommended == "repair"
    assert adjudicate(case("tv", days=25, wish="exchange"), kinder).recommended == "exchange"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"warranty_months": 6}, "warranty_months"),
        ({"main_part_months": 24}, "main_part_months"),
        ({"return_days": 5}, "return_days"),
        ({"exchange_days": 10}, "exchange_days"),
        ({"depreciation_daily_rate": "0.002"}, "depreciation_daily_rate"),
        ({"parts_missing_exchange_days": 120}, "parts_missing_exchange_days"),
        ({"distance_return_days": 3}, "distance_return_days"),
        ({"main_parts": []}, "main_parts"),
        ({"no_invoice": {"remedies": []}}, "no_invoice"),
        ({"durable_goods": False}, "durable_goods"),
    ],
)
def test_company_policy_below_statutory_floor_is_refused(overrides, field):
    with pytest.raises(TermsError) as err:
        apply_company_policy(load_terms("refrigerator"), overrides)
    assert err.value.field == field
    assert "低于国家三包规定" in err.value.message_zh and "less generous" in err.value.message_en


def test_company_policy_cannot_shorten_phone_no_invoice_offset_or_battery_period():
    phone = load_terms("mobile_phone")
    for overrides in (
        {"no_invoice": {"production_offset_days": 30}},
        {"no_invoice": {"production_offset_months": None}},
        {"accessories": {"battery": {"months": 3, "name_zh": "电池"}}},
    ):
        with pytest.raises(TermsError) as err:
            apply_company_policy(phone, overrides)
        assert "低于国家三包规定" in err.value.message_zh


def test_company_policy_refuses_unknown_or_legal_terms():
    for name in ("catalog_covered", "category", "free_lunch"):
        with pytest.raises(TermsError) as err:
            apply_company_policy(load_terms("tv"), {name: True})
        assert err.value.field == name


# --------------------------------------------------------------- parse_case

MINIMAL = {
    "category": "refrigerator",
    "price": "3999.00",
    "sale_date": "2026-03-01",
    "request_date": "2026-03-05",
}


def test_parse_case_fills_the_documented_defaults():
    c = parse_case(MINIMAL)
    assert c.price == Decimal("3999.00") and c.sale_date == date(2026, 3, 1)
    assert (c.has_invoice, c.has_warranty_card, c.channel, c.fault, c.wish) == (
        True,
        True,
        "store",
        "performance",
        "none",
    )
    assert (c.failed_repairs, c.repair_days, c.parts_wait_days, c.part, c.reason) == (
        0,
        0,
        0,
        None,
        None,
    )
    assert c.same_model_available and c.goods_intact and c.parts_available and c.authorised_dealer
    assert not (c.sample_unit_disclosed_defect or c.above_guide_price)
    assert set(CASE_FIELDS) >= set(MINIMAL)


def test_parse_case_accepts_the_full_issue_example():
    full = {
        **MINIMAL,
        "has_invoice": True,
        "has_warranty_card": True,
        "production_date": None,
        "channel": "online",
        "receipt_date": "2026-03-03",
        "fault": "performance",
        "part": "main_part",
        "failed_repairs": 0,
        "repair_days": 0,
        "parts_wait_days": 0,
        "same_model_available": True,
        "wish": "none",
        "sample_unit_disclosed_defect": False,
        "goods_intact": True,
        "discontinued_date": None,
        "parts_available": True,
        "above_guide_price": False,
        "authorised_dealer": True,
        "reason": None,
        "customer_honorific": "张先生",
    }
    c = parse_case(full)
    assert (
        c.receipt_date == date(2026, 3, 3)
        and c.part == "main_part"
        and c.customer_honorific == "张先生"
    )


def _error(data: dict) -> CaseError:
    with pytest.raises(CaseError) as err:
        parse_case(data)
    return err.value


def test_parse_case_rejects_unknown_field():
    err = _error({**MINIMAL, "colour": "white"})
    assert err.field == "colour" and "未知字段" in err.message_zh


def test_parse_case_rejects_unknown_category():
    err = _error({**MINIMAL, "category": "household_car"})
    assert err.field == "category" and "无效" in err.message_zh and "品类" in err.message_zh


@pytest.mark.parametrize(
    "field, value",
    [
        ("price", "abc"),
        ("price", "-1"),
        ("price", "12.345"),
        ("price", True),
        ("channel", "mail"),
        ("fault", "broken"),
        ("wish", None),
        ("reason", "bored"),
        ("failed_repairs", -1),
        ("repair_days", "3"),
        ("has_invoice", "yes"),
        ("sale_date", "2026-02-30"),
        ("request_date", "05/03/2026"),
        ("part", "battery"),
    ],
)
def test_parse_case_rejects_bad_values_naming_the_field(field, value):
    err = _error({**MINIMAL, field: value})
    assert err.field == field and ("应为" in err.message_zh or "无效" in err.message_zh)


def test_parse_case_accepts_phone_accessory_parts():
    assert parse_case({**MINIMAL, "category": "mobile_phone", "part": "battery"}).part == "battery"


def test_parse_case_rejects_missing_required_field():
    err = _error({k: v for k, v in MINIMAL.items() if k != "price"})
    assert err.field == "price" and "缺少必填字段" in err.message_zh


def test_parse_case_rejects_sale_after_request():
    err = _error({**MINIMAL, "sale_date": "2026-03-06"})
    assert err.field == "sale_date" and "晚于申请日期" in err.message_zh


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"production_date": "2026-03-02"}, "production_date"),
        ({"receipt_date": "2026-02-28"}, "receipt_date"),
        ({"receipt_date": "2026-03-06"}, "receipt_date"),
        ({"repair_days": 3, "parts_wait_days": 2}, "repair_days"),
    ],
)
def test_parse_case_rejects_impossible_dates(extra, field):
    err = _error({**MINIMAL, **extra})
    assert err.field == field and "请核对" in err.message_zh


def test_parse_case_rejects_a_non_object():
    assert _error(["refrigerator"]).field == "__root__"


def test_parsed_case_equals_constructed_case():
    assert parse_case(MINIMAL) == replace(
        case(sale_date=date(2026, 3, 1), days=4), price=Decimal("3999.00")
    )
