"""The engine's scripts pass the service-language checker's forbidden-phrase list (服务禁语).

test_policy.py checks the scripts against DOMAIN.md's phrases by substring; this checks them with
the checker agents' replies go through (kefu.quality.language: variants, traditional characters,
the shipped phrase packs), over every category and every kind of fact, so a script the desk offers
is never one the reply check would warn about."""

import itertools
from datetime import date, timedelta

import pytest

from kefu.aftersales.policy import FAULTS, REASONS, TEXTS, WISHES, adjudicate, parse_case
from kefu.catalog.terms import CATEGORIES, company_terms, load_terms
from kefu.quality.language import check, is_forbidden

SALE = date(2026, 3, 2)


def forbidden(text: str) -> list[str]:
    return [f"{f.code}: {f.text}" for f in check(text) if is_forbidden(f)]


def cases():
    """Every category × fault × wish, at days that cross each window, plus the odd facts."""
    for category, fault, wish, days in itertools.product(
        CATEGORIES, FAULTS, WISHES, (3, 10, 100, 800)
    ):
        yield {
            "category": category,
            "price": "3999.00",
            "sale_date": SALE.isoformat(),
            "request_date": (SALE + timedelta(days=days)).isoformat(),
            "fault": fault,
            "wish": wish,
            "customer_honorific": "王女士" if days % 2 else None,
        }
    extras = [
        {"failed_repairs": 2, "wish": "return"},
        {"failed_repairs": 2, "same_model_available": False},
        {"parts_available": False, "discontinued_date": "2018-01-01"},
        {"parts_wait_days": 95},
        {"repairer_delay_days": 40},
        {"has_invoice": False, "has_warranty_card": False, "production_date": "2025-12-01"},
        {"has_invoice": False, "has_warranty_card": True},
        {"sample_unit_disclosed_defect": True, "fault": "cosmetic"},
        {"above_guide_price": True, "authorised_dealer": False, "wish": "exchange"},
        {
            "channel": "online",
            "receipt_date": (SALE + timedelta(days=2)).isoformat(),
            "fault": "none",
        },
        {"part": "main_part"},
    ]
    for reason in REASONS:
        extras.append(
            {
                "reason": reason,
                "fault": "none" if reason in ("price_drop", "changed_mind") else "performance",
            }
        )
    for category, extra in itertools.product(CATEGORIES, extras):
        yield {
            "category": category,
            "price": "3999.00",
            "sale_date": SALE.isoformat(),
            "request_date": (SALE + timedelta(days=120)).isoformat(),
            **extra,
        }


@pytest.mark.parametrize("statutory", [False, True], ids=["company", "statutory"])
def test_no_script_contains_a_forbidden_phrase(statutory):
    seen, bad = set(), []
    for data in cases():
        case = parse_case(data)
        terms = load_terms(case.category) if statutory else company_terms(case.category)
        script = adjudicate(case, terms).script
        if script in seen:
            continue
        seen.add(script)
        found = forbidden(script)
        if found:
            bad.append((data, found))
    assert len(seen) > 100  # the grid really reaches many different scripts
    assert not bad, bad[:3]


def test_no_sentence_of_the_rule_text_table_contains_a_forbidden_phrase():
    def strings(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, str):
            yield node

    texts = [text for key, value in TEXTS.items() if key != "_comment" for text in strings(value)]
    assert texts and not [(t, forbidden(t)) for t in texts if forbidden(t)]


def test_the_checker_does_catch_a_forbidden_phrase():
    """A test that cannot fail is a defect: the same check finds a phrase from the list."""
    assert forbidden("这是我们公司的规定，您弄错了。")
