"""Special cases by meaning: each class of input the blind cases found wrong, the rules as
editable data, the rule and words on the timeline, and the properties of the detector."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.org.roles import Tier
from kefu.sla import selectors
from kefu.sla.models import SpecialCaseRule
from kefu.sla.special_cases import Detector, shipped_rules
from kefu.tickets import services as tickets
from kefu.tickets.models import EventKind, Ticket
from tests.factories import open_ticket

DETECTOR = Detector(shipped_rules())


def categories(text: str) -> set[str]:
    return {h.category for h in DETECTOR.find(text)}


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --------------------------------------------------------------------------- the pure core


@pytest.mark.parametrize(
    "text",
    [
        "我在电视台工作，白天不在家，师傅能晚上来吗",
        "我订的报纸一直没送到，麻烦查一下",
        "相机曝光补偿怎么调",
        "这款相机的自动曝光总是过度，照片发白",
        "我们是律师事务所，需要开增值税专用发票",
        "我老公是律师，他平时用这台电脑比较多",
        "我的订单号是2023123150，请帮我查一下",
        "发票号码12315678，开的是公司抬头",
        "订单尾号12315，什么时候发货",
        "冰箱门没关好就会报警，这个正常吗",
        "屏幕上有划伤，能换一个吗",
        "轮胎漏气了，能来补一下吗",
    ],
)
def test_innocent_mentions_are_not_special_cases(text):
    assert DETECTOR.find(text) == []


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我要去報社和記者那裡投訴", "media"),
        ("我要找媒體曝光你們", "media"),
        ("我要打12315投訴你們", "regulator"),
        ("我要向消協投訴", "regulator"),
        ("我會請律師起訴你們", "legal"),
        ("我會通過法律途徑解決", "legal"),
        ("空調插頭冒煙，差點著火", "safety"),
        ("我要打１２３１５投诉", "regulator"),
    ],
)
def test_threats_in_traditional_script_or_full_width_are_found(text, category):
    assert category in categories(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我不会去曝光，只是希望你们尽快处理", set()),
        ("我没打算起诉，只要给我换货就行", set()),
        ("幸好没有起火，但是插头有点松", set()),
        ("我不想找媒体，只想要个说法", set()),
        ("别逼我找媒体", {"media"}),
        ("不排除起诉你们", {"legal"}),
        ("不要以为我不敢起诉", {"legal"}),
        ("要不要我把你们的嘴脸发到网上", {"media"}),
        ("我不想这么做，但我会去找媒体", {"media"}),
        ("如果今天还不解决，我就去找记者", {"media"}),
    ],
)
def test_negation_cancels_only_a_negated_threat(text, expected):
    assert categories(text) == expected


def test_quoted_words_are_someone_elses():
    assert DETECTOR.find("他说“我要曝光你们”，我替他道个歉") == []
    assert DETECTOR.find("我朋友开玩笑说要「打12315」，我没当真") == []
    assert categories("他说“别急”，但我还是要找记者") == {"media"}


def test_a_hit_names_the_rule_and_the_customers_own_words():
    text = "我要去報社投訴，还要打12315"
    hits = DETECTOR.find(text)
    assert [(h.rule, h.category) for h in hits] == [
        ("media.outlet", "media"),
        ("regulator.12315", "regulator"),
    ]
    assert hits[0].words == "去報社" and hits[1].words == "12315"
    for h in hits:
        assert text[h.start : h.end] == h.words


def test_a_rule_with_a_bad_pattern_is_refused():
    with pytest.raises(ValueError, match="media.bad"):
        Detector([{"code": "media.bad", "category": "media", "patterns": ["(未闭合"]}])


CLEAR_THREATS = [
    "我要找记者曝光你们",
    "我已经打了12315",
    "我要找律师起诉你们",
    "冰箱漏电，孩子被电击受伤",
    "我会把这件事发到抖音上",
    "空调插头冒烟了",
]
INNOCENT_SENTENCES = [
    "我在电视台工作。",
    "我订了你们的报纸。",
    "我的相机曝光补偿坏了。",
    "我们公司是律师事务所。",
    "订单号2023123150。",
    "我在网上买的。",
    "我不会骂人。",
    "他说“算了”。",
    "冰箱门没关好会报警。",
]


@settings(max_examples=150, deadline=None)
@given(
    threat=st.sampled_from(CLEAR_THREATS),
    before=st.lists(st.sampled_from(INNOCENT_SENTENCES), max_size=3),
    after=st.lists(st.sampled_from(INNOCENT_SENTENCES), max_size=3),
)
def test_innocent_context_never_turns_a_clear_threat_into_a_non_event(threat, before, after):
    alone = categories(threat)
    assert alone
    assert alone <= categories("".join(before) + threat + "。" + "".join(after))


@settings(max_examples=100, deadline=None)
@given(innocent=st.lists(st.sampled_from(INNOCENT_SENTENCES), min_size=1, max_size=4))
def test_innocent_sentences_together_stay_innocent(innocent):
    assert DETECTOR.find("".join(innocent)) == []


# --------------------------------------------------------------------------- the routing


def test_routing_records_the_rule_and_the_words_on_the_timeline(chain):
    ticket = open_ticket(chain["stores"]["SH001"], description="再不处理我就去報社投訴")
    t = fresh(ticket)
    assert t.escalation_tier == Tier.CS_DEPARTMENT
    event = t.events.get(kind=EventKind.ESCALATED)
    assert event.data["reason"] == "special_case"  # the cause, kept by escalate
    assert "media.outlet" in event.body and "報社" in event.body


@pytest.mark.parametrize(
    "text",
    ["我在电视台工作，晚上才在家", "订单号2023123150，请帮我查一下", "相机曝光补偿怎么调"],
)
def test_innocent_tickets_stay_with_the_store(chain, text):
    ticket = open_ticket(chain["stores"]["SH001"], description=text)
    assert fresh(ticket).escalation_tier == Tier.STORE_STAFF


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(threat=st.sampled_from(CLEAR_THREATS), public=st.booleans())
def test_quoting_a_threat_in_a_reply_or_a_note_never_reroutes(chain, users, threat, public):
    ticket = open_ticket(chain["stores"]["SH001"], description="空调不制冷")
    before = fresh(ticket).escalation_tier
    body = f"您好，您提到“{threat}”，我们非常重视，今天会安排师傅上门。"
    tickets.add_reply(
        actor=users["staff_sh001"], ticket=fresh(ticket), body=body, public=public, override=True
    )
    tickets.add_reply(
        actor=users["staff_sh001"],
        ticket=fresh(ticket),
        body=f"客户原话：{threat}",
        public=False,
    )
    assert fresh(ticket).escalation_tier == before == Tier.STORE_STAFF


def test_rules_are_editable_data(chain):
    rule = SpecialCaseRule.objects.get(code="regulator.12315")
    rule.is_active = False
    rule.save()
    ticket = open_ticket(chain["stores"]["SH001"], description="我已经打了12315")
    assert fresh(ticket).escalation_tier == Tier.STORE_STAFF
    rule.is_active = True
    rule.exclusions += "\n已经打了12315"
    rule.save()
    ticket = open_ticket(chain["stores"]["SH001"], description="我已经打了12315")
    assert fresh(ticket).escalation_tier == Tier.STORE_STAFF
    ticket = open_ticket(chain["stores"]["SH001"], description="我要打12315")
    assert fresh(ticket).escalation_tier == Tier.CS_DEPARTMENT


def test_the_admin_form_refuses_a_pattern_that_does_not_compile(db):
    rule = SpecialCaseRule(code="media.bad", category="media", patterns="(未闭合")
    with pytest.raises(ValidationError):
        rule.full_clean()


def test_a_broken_row_saved_around_the_admin_leaves_the_other_rules_working(chain):
    SpecialCaseRule.objects.create(code="media.bad", category="media", patterns="(未闭合")
    selectors.clear_caches()
    ticket = open_ticket(chain["stores"]["SH001"], description="我要找记者")
    assert fresh(ticket).escalation_tier == Tier.CS_DEPARTMENT
