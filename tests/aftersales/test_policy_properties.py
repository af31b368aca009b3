"""Properties of the 三包 engine that must hold for every case (hypothesis)."""

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.aftersales.policy import (
    CHANNELS,
    EXCLUDED_FAULTS,
    FAULTS,
    REASONS,
    WISHES,
    Case,
    CaseError,
    adjudicate,
    depreciation_fee,
    parse_case,
)
from kefu.catalog.terms import (
    CATEGORIES,
    NO_INVOICE_REMEDIES,
    REMEDIES,
    CategoryTerms,
    apply_company_policy,
    company_terms,
    load_terms,
)
from tests.aftersales.forbidden import FORBIDDEN

prop = settings(max_examples=300, deadline=None)


def covers(remedies) -> set[str]:
    """What a remedy set gives the customer: a free repair covers what a paid repair would,
    and a free exchange covers what a depreciated trade-in would."""
    out = set(remedies)
    if "repair" in out:
        out.add("paid_repair")
    if "exchange" in out:
        out.add("trade_in")
    return out


def terms_for(category: str, company: bool) -> CategoryTerms:
    return company_terms(category) if company else load_terms(category)


@st.composite
def cases(draw, category=None) -> Case:
    """A valid case: dates consistent, repair days within the days owned."""
    category = category or draw(st.sampled_from(CATEGORIES))
    sale = draw(st.dates(date(2012, 1, 1), date(2028, 12, 31)))
    # Most interest sits around the 7/15-day windows and the 1–3 year periods.
    owned = draw(st.one_of(st.integers(0, 20), st.integers(0, 1200), st.integers(0, 4500)))
    repair_days = draw(st.integers(0, owned))
    parts_wait_days = draw(st.integers(0, owned - repair_days))
    return Case(
        category=category,
        price=draw(st.decimals(Decimal("1.00"), Decimal("99999.99"), places=2)),
        sale_date=sale,
        request_date=sale + timedelta(days=owned),
        has_invoice=draw(st.booleans()),
        has_warranty_card=draw(st.booleans()),
        production_date=draw(
            st.none() | st.integers(0, 900).map(lambda k: sale - timedelta(days=k))
        ),
        channel=draw(st.sampled_from(CHANNELS)),
        receipt_date=draw(
            st.none() | st.integers(0, min(owned, 20)).map(lambda k: sale + timedelta(days=k))
        ),
        fault=draw(st.sampled_from(FAULTS)),
        part=draw(st.sampled_from([None, "main_part", *load_terms(category).accessories])),
        failed_repairs=draw(st.integers(0, 4)),
        repair_days=repair_days,
        parts_wait_days=parts_wait_days,
        same_model_available=draw(st.booleans()),
        wish=draw(st.sampled_from(WISHES)),
        sample_unit_disclosed_defect=draw(st.booleans()),
        goods_intact=draw(st.booleans()),
        discontinued_date=draw(st.none() | st.dates(date(2005, 1, 1), date(2030, 12, 31))),
        parts_available=draw(st.booleans()),
        above_guide_price=draw(st.booleans()),
        authorised_dealer=draw(st.booleans()),
        reason=draw(st.sampled_from([None, *REASONS])),
        customer_honorific=draw(st.sampled_from([None, "张先生", "李女士", "欧阳女士"])),
        repairer_delay_days=draw(st.integers(0, min(owned, 45))),
    )


@prop
@given(cases(), st.integers(1, 3000), st.booleans())
def test_asking_later_never_yields_more_remedies(case, later_by, company):
    terms = terms_for(case.category, company)
    now = adjudicate(case, terms)
    later = adjudicate(
        replace(case, request_date=case.request_date + timedelta(days=later_by)), terms
    )
    assert covers(later.remedies) <= covers(now.remedies)
    # Free entitlements (return, exchange, repair, compensation) are a plain subset.
    assert set(later.remedies) - {"paid_repair", "trade_in"} <= set(now.remedies)


@prop
@given(cases(), st.booleans())
def test_price_drop_alone_never_grants_a_return(case, company):
    terms = terms_for(case.category, company)
    dropped = adjudicate(replace(case, reason="price_drop"), terms)
    no_reason = adjudicate(replace(case, reason=None), terms)
    assert dropped.remedies == no_reason.remedies
    in_store = adjudicate(replace(case, reason="price_drop", fault="none", channel="store"), terms)
    assert "return" not in in_store.remedies


@prop
@given(cases(), st.sampled_from(sorted(EXCLUDED_FAULTS)))
def test_exclusions_never_remove_paid_repair(case, exclusion):
    terms = company_terms(case.category)  # the rule says "may"; Kefu's company policy offers it
    covered = adjudicate(case, terms)
    excluded = adjudicate(replace(case, fault=exclusion), terms)
    if "paid_repair" in covered.remedies:
        assert "paid_repair" in excluded.remedies
    if case.parts_available:
        assert "paid_repair" in excluded.remedies
    assert not {"return", "exchange", "repair"} & (set(excluded.remedies) - set(covered.remedies))


@st.composite
def generous_overrides(draw, floor: CategoryTerms) -> dict:
    """A company policy that is at least as generous as ``floor`` on every term it sets."""
    more = st.integers(0, 24)
    out: dict = {}
    warranty = floor.warranty_months + draw(more)
    return_days = floor.return_days + draw(st.integers(0, 10))
    if draw(st.booleans()):
        out["warranty_months"] = warranty
        out["main_part_months"] = max(floor.main_part_months, warranty) + draw(more)
    if draw(st.booleans()):
        out["return_days"] = return_days
        out["exchange_days"] = max(floor.exchange_days, return_days) + draw(st.integers(0, 20))
    if draw(st.booleans()):
        share = Decimal(draw(st.integers(0, 100))) / 100
        out["depreciation_daily_rate"] = str(
            (floor.depreciation_daily_rate * share).quantize(Decimal("0.000001"))
        )
    if draw(st.booleans()):
        out["parts_missing_exchange_days"] = draw(st.integers(1, floor.parts_missing_exchange_days))
        out["repairer_delay_exchange_days"] = draw(
            st.integers(1, floor.repairer_delay_exchange_days)
        )
    if draw(st.booleans()):
        out["distance_return_days"] = floor.distance_return_days + draw(st.integers(0, 23))
        out["distance_channels"] = sorted(
            set(floor.distance_channels) | set(draw(st.sets(st.sampled_from(CHANNELS))))
        )
    if draw(st.booleans()):
        out["paid_repair_on_exclusion"] = floor.paid_repair_on_exclusion or draw(st.booleans())
    if draw(st.booleans()):
        months = draw(st.integers(4, 12))  # ≥ 4 months beats the phones' 90 days
        extra = draw(st.sets(st.sampled_from(NO_INVOICE_REMEDIES)))
        out["no_invoice"] = {
            "production_offset_months": months,
            "production_offset_days": draw(st.integers(0, 30)),
            "remedies": sorted(set(floor.no_invoice.remedies) | extra),
        }
    return out


@prop
@given(cases(), st.data())
def test_company_policy_never_yields_fewer_remedies_than_statutory_floor(case, data):
    floor = load_terms(case.category)
    company = apply_company_policy(floor, data.draw(generous_overrides(floor)))
    by_law = adjudicate(case, floor)
    by_company = adjudicate(case, company)
    assert covers(by_law.remedies) <= covers(by_company.remedies)
    if by_law.refund is not None:
        assert by_company.refund is not None and by_company.refund >= by_law.refund


@prop
@given(cases(), st.booleans())
def test_fee_never_exceeds_price_and_is_never_negative(case, company):
    d = adjudicate(case, terms_for(case.category, company))
    assert Decimal("0.00") <= d.depreciation_fee <= case.price
    assert d.depreciation_fee == d.depreciation_fee.quantize(Decimal("0.01"))
    assert (d.refund is None) == ("return" not in d.remedies)
    if d.refund is not None:
        assert Decimal("0.00") <= d.refund <= case.price


@given(
    st.decimals(Decimal("0.01"), Decimal("99999999.99"), places=2),
    st.decimals(Decimal("0"), Decimal("0.999"), places=4),
    st.integers(-1000, 100000),
)
def test_depreciation_fee_stays_between_zero_and_price(price, rate, days):
    fee = depreciation_fee(price, rate, days)
    assert Decimal("0.00") <= fee <= price


@prop
@given(cases(), st.booleans())
def test_decision_is_consistent_and_json_ready(case, company):
    d = adjudicate(case, terms_for(case.category, company))
    assert list(d.remedies) == [r for r in REMEDIES if r in d.remedies]
    assert (d.recommended is None) == (not d.remedies)
    assert d.recommended is None or d.recommended in d.remedies
    if d.free:
        assert d.recommended in ("return", "exchange", "repair", "compensation")
    out = json.loads(json.dumps(d.to_dict(), ensure_ascii=False))
    assert (
        out["depreciation_fee"].count(".") == 1 and len(out["depreciation_fee"].split(".")[1]) == 2
    )


@prop
@given(cases(), st.booleans())
def test_every_script_is_polite_and_free_of_forbidden_phrases(case, company):
    script = adjudicate(case, terms_for(case.category, company)).script
    assert "你" not in script
    assert "您" in script and "请" in script
    assert not [p for p in FORBIDDEN if p in script]
    if case.customer_honorific:
        assert script.startswith(case.customer_honorific + "您好")


def _as_json(case: Case) -> dict:
    out = {}
    for name in Case.__dataclass_fields__:
        value = getattr(case, name)
        out[name] = (
            value.isoformat()
            if isinstance(value, date)
            else str(value)
            if isinstance(value, Decimal)
            else value
        )
    return out


@prop
@given(cases())
def test_parse_case_accepts_every_consistent_case(case):
    assert parse_case(_as_json(case)) == case


BASE = {"category": "tv", "price": "1999.00"}


@prop
@given(st.dates(date(2005, 1, 1), date(2030, 1, 1)), st.integers(1, 4000))
def test_parse_case_rejects_sale_after_request(sale, gap):
    with pytest.raises(CaseError) as err:
        parse_case(
            {
                **BASE,
                "sale_date": sale.isoformat(),
                "request_date": (sale - timedelta(days=gap)).isoformat(),
            }
        )
    assert err.value.field == "sale_date" and "晚于申请日期" in err.value.message_zh


@prop
@given(
    st.dates(date(2005, 1, 1), date(2030, 1, 1)),
    st.integers(0, 400),
    st.integers(1, 400),
    st.sampled_from(["production_after_sale", "receipt_before_sale", "receipt_after_request"]),
)
def test_parse_case_rejects_impossible_dates(sale, owned, gap, kind):
    request = sale + timedelta(days=owned)
    data = {**BASE, "sale_date": sale.isoformat(), "request_date": request.isoformat()}
    field, when = {
        "production_after_sale": ("production_date", sale + timedelta(days=gap)),
        "receipt_before_sale": ("receipt_date", sale - timedelta(days=gap)),
        "receipt_after_request": ("receipt_date", request + timedelta(days=gap)),
    }[kind]
    with pytest.raises(CaseError) as err:
        parse_case({**data, field: when.isoformat()})
    assert err.value.field == field and "请核对" in err.value.message_zh
