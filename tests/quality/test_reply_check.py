"""The service-language check wired into replies (API): refusal, warnings, override."""

import pytest

from kefu.quality.models import PhraseOverride, QualityPolicy
from kefu.tickets.models import TicketEvent
from tests.factories import open_ticket
from tests.quality.conftest import post_json

pytestmark = pytest.mark.django_db

FORBIDDEN = "张先生您好，这个问题我不知道怎么处理。"
CLEAN = "张先生您好，非常抱歉给您带来不便，师傅明天上午上门，请您保持电话畅通。"


def replies(ticket):
    return f"/api/v1/tickets/{ticket.id}/replies"


def test_a_forbidden_phrase_is_refused_with_422_and_the_findings(api, complaint):
    r = post_json(api("staff_sh001"), replies(complaint), {"body": FORBIDDEN})
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "forbidden_phrase" and body["field"] == "body"
    assert "我不知道" in body["detail"] and body["may_override"] is False
    [block] = [f for f in body["findings"] if f["severity"] == "block"]
    start = FORBIDDEN.index("我不知道")
    assert (
        block["code"] == "forbidden.wo_bu_zhi_dao"
        and block["span"] == [start, start + 4]
        and block["text"] == "我不知道"
    )
    assert block["explanation"] and block["suggestion"]
    # Nothing was written: no reply, no version bump.
    assert not complaint.events.filter(kind="reply").exists()
    complaint.refresh_from_db()
    assert complaint.version == 1 and complaint.first_response_at is None


def test_a_clean_reply_is_sent_and_hints_come_back_as_warnings(api, complaint):
    r = post_json(api("staff_sh001"), replies(complaint), {"body": "您好，可能明天到。"})
    assert r.status_code == 201, r.content
    codes = {w["code"] for w in r.json()["warnings"]}
    # A complaint reply that never uses the customer's name, and a 可能 where a definite answer is due.
    assert codes == {"hint.no_name", "hint.keneng"}
    assert (
        post_json(api("staff_sh001"), replies(complaint), {"body": CLEAN}).json()["warnings"] == []
    )


def test_internal_notes_are_not_checked(api, complaint):
    r = post_json(
        api("staff_sh001"),
        replies(complaint),
        {"body": "顾客说“你们绝对不可能修好”，我不知道怎么回。", "public": False},
    )
    assert r.status_code == 201 and r.json()["warnings"] == []


def test_override_is_refused_to_a_role_the_policy_does_not_name(api, complaint):
    r = post_json(api("staff_sh001"), replies(complaint), {"body": FORBIDDEN, "override": True})
    assert r.status_code == 403 and r.json()["code"] == "override_not_allowed"
    assert (
        r.json()["findings"]
        and not complaint.events.filter(kind__in=["reply", "language_override"]).exists()
    )


def test_a_manager_may_override_and_the_override_is_on_the_timeline(api, complaint, users):
    client = api("manager_sh001")
    refused = post_json(client, replies(complaint), {"body": FORBIDDEN})
    assert refused.status_code == 422 and refused.json()["may_override"] is True
    r = post_json(client, replies(complaint), {"body": FORBIDDEN, "override": True})
    assert r.status_code == 201, r.content
    assert [w["code"] for w in r.json()["warnings"] if w.get("overridden")] == [
        "forbidden.wo_bu_zhi_dao"
    ]
    override = complaint.events.get(kind="language_override")
    assert override.actor == users["manager_sh001"] and not override.public
    assert (
        override.data["role"] == "store_manager"
        and override.data["findings"][0]["text"] == "我不知道"
    )
    reply = complaint.events.get(kind="reply")
    assert override.id < reply.id and reply.body == FORBIDDEN
    # The override shows on the ticket's timeline (API) for QA to see.
    timeline = api("qa").get(f"/api/v1/tickets/{complaint.id}").json()["timeline"]
    assert "language_override" in [e["kind"] for e in timeline]


def test_who_may_override_is_the_managers_policy(api, complaint):
    policy = QualityPolicy.current()
    policy.allow_override_roles = ["store_staff"]
    policy.save()
    assert (
        post_json(
            api("staff_sh001"), replies(complaint), {"body": FORBIDDEN, "override": True}
        ).status_code
        == 201
    )
    assert (
        post_json(
            api("manager_sh001"), replies(complaint), {"body": FORBIDDEN, "override": True}
        ).status_code
        == 403
    )


def test_admin_phrase_overrides_switch_a_rule_off_or_add_one(api, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    client = api("cs_agent")
    PhraseOverride.objects.create(code="forbidden.wo_bu_zhi_dao", enabled=False)
    assert post_json(client, replies(ticket), {"body": "您好，我不知道。"}).status_code == 201
    PhraseOverride.objects.create(
        code="forbidden.local_mafan",
        phrase="别来烦我",
        severity="block",
        explanation="不耐烦，把顾客往外推。",
        suggestion="我马上为您处理。",
    )
    r = post_json(client, replies(ticket), {"body": "您好，别来烦我。"})
    assert r.status_code == 422 and r.json()["findings"][0]["code"] == "forbidden.local_mafan"
    assert r.json()["findings"][0]["suggestion"] == "我马上为您处理。"


def test_a_phrase_override_that_cannot_compile_is_refused_by_the_admin_form():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        PhraseOverride(code="forbidden.local_2").clean()  # a new rule without a phrase
    with pytest.raises(ValidationError):
        PhraseOverride(code="forbidden.local_3", phrase="x", severity="loud").full_clean()


def test_the_check_costs_a_fixed_number_of_queries(api, complaint, django_assert_max_num_queries):
    client = api("staff_sh001")
    post_json(client, replies(complaint), {"body": CLEAN})  # warm: token, policy row
    with django_assert_max_num_queries(25):
        assert post_json(client, replies(complaint), {"body": CLEAN}).status_code == 201
    assert TicketEvent.objects.filter(ticket=complaint, kind="reply").count() == 2
