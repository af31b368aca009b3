"""Everything Kefu itself says to customers passes the service-language checker: the 三包
engine's scripts, the demo's canned replies and the complaint summary. (The knowledge app's
macros join this test when that app ships them.)"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest

from kefu.aftersales.policy import FAULTS, REASONS, WISHES, Case, adjudicate
from kefu.catalog.terms import CATEGORIES, company_terms, load_terms
from kefu.quality.language import Context, check
from tests.aftersales.test_policy import SITUATION_CASES

SALE = date(2026, 3, 2)


def blocks(text: str, context: Context | None = None) -> list[str]:
    return [f"{f.code}: {f.text}" for f in check(text, context) if f.severity == "block"]


def spread():
    """A deterministic spread over category × age × fault × wish × paperwork × history."""
    ages = [0, 3, 10, 30, 200, 500, 1500, 2500]
    for category, days, fault, wish in itertools.product(CATEGORIES, ages, FAULTS, WISHES):
        k = days + len(fault) + len(wish)
        yield Case(
            category=category,
            price=Decimal("3999.00"),
            sale_date=SALE,
            request_date=SALE + timedelta(days=days),
            fault=fault,
            wish=wish,
            has_invoice=k % 5 != 0,
            has_warranty_card=k % 7 != 0,
            production_date=SALE - timedelta(days=60),
            channel=("store", "online", "phone")[k % 3],
            failed_repairs=k % 4,
            repair_days=min(days, k % 20),
            same_model_available=k % 2 == 0,
            parts_available=k % 6 != 0,
            discontinued_date=SALE - timedelta(days=2000) if k % 9 == 0 else None,
            reason=(None, *REASONS)[k % (len(REASONS) + 1)],
            customer_honorific=(None, "张先生", "欧阳女士")[k % 3],
        )


@pytest.mark.parametrize("company", [True, False])
def test_every_aftersales_script_passes_the_checker(company):
    cases = [*SITUATION_CASES, *spread()]
    assert len(cases) > 1500
    failures = []
    for case in cases:
        terms = company_terms(case.category) if company else load_terms(case.category)
        script = adjudicate(case, terms).script
        found = blocks(script)
        if found:
            failures.append((case, script, found))
    assert not failures, failures[:3]


def test_the_demo_replies_pass_the_checker():
    from kefu.web.demo import REPLIES

    for greeting, honorific in (
        ("张先生您好", "张先生"),
        ("欧阳女士您好", "欧阳女士"),
        ("张伟您好", "张伟"),
    ):
        context = Context(customer_surname=honorific[:1], honorific=honorific, is_complaint=True)
        for reply in REPLIES:
            text = reply.format(greeting=greeting)
            assert not blocks(text, context), text


def test_the_complaint_summary_passes_the_checker():
    from kefu.quality.rules import summary_text

    text = summary_text(
        greeting="李女士您好",
        agreed="为您免费更换同型号洗衣机",
        next_steps="周六上午送货安装，并回收旧机",
        agent="王芳",
        phone="",
        number="KF-20260302-000007",
    )
    assert not check(text, Context(customer_surname="李", honorific="李女士", is_complaint=True))
