"""The pure rule core: sampling, the approval ladder, call scripts."""

from decimal import Decimal

import pytest

from kefu.feedback import rules
from kefu.quality import language

LADDER = [
    ("store_staff", Decimal("50")),
    ("store_manager", Decimal("500")),
    ("regional_manager", Decimal("2000")),
    ("cs_department", None),
]
FACTS = {
    "greeting": "张先生您好",
    "honorific": "张先生",
    "store": "上海徐家汇店",
    "agent": "陈刚",
    "number": "KF-20260301-000001",
    "subject": "冰箱不制冷",
    "resolved_on": "3月5日",
}


@pytest.mark.parametrize("percent", [0, 1, 20, 50, 99, 100])
def test_sampling_takes_exactly_the_percentage_of_any_hundred_consecutive_tickets(percent):
    for start in (1, 101, 12_345):
        picked = sum(rules.in_sample(i, 2, percent) for i in range(start, start + 100))
        assert picked == percent


def test_sampling_is_deterministic_and_differs_between_rules():
    first = [rules.in_sample(i, 1, 20) for i in range(1, 500)]
    assert first == [rules.in_sample(i, 1, 20) for i in range(1, 500)]
    assert first != [rules.in_sample(i, 2, 20) for i in range(1, 500)]


@pytest.mark.parametrize(
    ("amount", "rung"),
    [
        ("0.01", "store_staff"),
        ("50", "store_staff"),
        ("50.01", "store_manager"),
        ("500", "store_manager"),
        ("1999.99", "regional_manager"),
        ("2000.01", "cs_department"),
        ("1000000", "cs_department"),
    ],
)
def test_the_lowest_rung_whose_limit_covers_the_amount_decides(amount, rung):
    assert rules.approval_rung(Decimal(amount), LADDER) == rung


def test_no_rung_decides_when_every_limit_is_below_the_amount():
    assert rules.approval_rung(Decimal("3000"), LADDER[:3]) is None


def test_low_score_is_at_or_below_the_threshold():
    assert rules.is_low_score(2, 2) and rules.is_low_score(1, 2) and not rules.is_low_score(3, 2)


def test_every_shipped_script_uses_the_honorific_and_passes_the_service_language_checker():
    scripts = rules.load_scripts()
    assert {"rule", "rule:complaint", "rule:fault_report", "low_score", "unsatisfied"} <= set(
        scripts
    )
    for key, template in scripts.items():
        text = rules.render_script(template, FACTS)
        assert text.startswith("张先生您好") and "{" not in text, key
        findings = language.check(
            text, language.Context(customer_surname="张", honorific="张先生", is_complaint=True)
        )
        assert [f.to_dict() for f in findings if f.severity in ("block", "warn")] == [], key


def test_a_rule_of_its_own_overrides_the_shipped_script_and_unknown_placeholders_stay_visible():
    assert (
        rules.script_for("rule", "complaint", custom="{honorific}，{oops}") == "{honorific}，{oops}"
    )
    assert rules.render_script("{honorific}，{oops}", FACTS) == "张先生，{oops}"
    assert rules.script_for("rule", "delivery") == rules.load_scripts()["rule"]
