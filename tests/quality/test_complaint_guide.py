"""The complaint guide on complaint tickets: six steps, root cause, the confirm summary."""

import re

import pytest

from kefu.errors import Conflict, Forbidden, InvalidInput
from kefu.quality import rules, services
from kefu.quality.models import ComplaintGuide
from kefu.tickets import services as ticket_services
from tests.factories import open_ticket
from tests.quality.conftest import post_json

pytestmark = pytest.mark.django_db


def test_the_six_steps_and_both_root_cause_lists_are_data():
    assert rules.STEP_CODES == ("opening", "questions", "listen", "propose", "agree", "confirm")
    for step in rules.complaint_steps():
        assert step["do"] and step["dont"] and step["zh"] and step["en"]
    causes = rules.root_causes()
    groups = {c["group"] for c in causes.values()}
    assert groups == {"general", "after_sales"}
    assert sum(c["group"] == "general" for c in causes.values()) == 14
    assert sum(c["group"] == "after_sales" for c in causes.values()) == 10


def test_ticking_a_step_is_stored_and_each_tick_is_a_timeline_event(complaint, users):
    agent = users["staff_sh001"]
    services.tick_step(actor=agent, ticket=complaint, step="opening")
    services.tick_step(actor=agent, ticket=complaint, step="listen")
    services.tick_step(actor=agent, ticket=complaint, step="listen", done=False)
    guide = ComplaintGuide.objects.get(ticket=complaint)
    assert set(guide.steps) == {"opening"} and guide.steps["opening"]["by"] == "staff_sh001"
    events = list(complaint.events.filter(kind="complaint_step").values_list("data", flat=True))
    assert events == [
        {"step": "opening", "done": True},
        {"step": "listen", "done": True},
        {"step": "listen", "done": False},
    ]
    # The checklist is not the ticket: an agent's half-written reply does not go stale.
    complaint.refresh_from_db()
    assert complaint.version == 1
    with pytest.raises(Conflict):
        services.tick_step(actor=agent, ticket=complaint, step="opening")


def test_the_guide_refuses_unknown_steps_other_ticket_types_and_roles_without_ticket_work(
    chain, complaint, users
):
    with pytest.raises(InvalidInput):
        services.tick_step(actor=users["staff_sh001"], ticket=complaint, step="shout")
    with pytest.raises(InvalidInput):
        services.tick_step(
            actor=users["staff_sh001"], ticket=complaint, step="confirm"
        )  # only by sending the summary
    with pytest.raises(Forbidden):
        services.tick_step(actor=users["qa"], ticket=complaint, step="opening")
    repair = open_ticket(chain["stores"]["SH001"])
    with pytest.raises(Conflict):
        services.tick_step(actor=users["staff_sh001"], ticket=repair, step="opening")


def test_the_confirm_step_sends_a_summary_with_name_and_contact(complaint, users):
    staff = users["staff_sh001"].staff
    staff.display_name, staff.work_phone = "王芳", "021-64261234"
    staff.save()
    reply = services.send_summary(
        actor=users["staff_sh001"],
        ticket=complaint,
        agreed="为您免费更换同型号冰箱",
        next_steps="明天上午送货并回收旧机",
    )
    assert reply.kind == "reply" and reply.public
    body = reply.body
    assert body.startswith("张先生您好，")
    for part in (
        "为您免费更换同型号冰箱。",
        "明天上午送货并回收旧机。",
        "我是王芳",
        "021-64261234",
        complaint.number,
    ):
        assert part in body
    guide = ComplaintGuide.objects.get(ticket=complaint)
    assert "confirm" in guide.steps and guide.summary_event == reply
    assert complaint.events.filter(kind="complaint_step", data__step="confirm").exists()


def test_the_summary_falls_back_to_the_store_phone_and_is_checked_like_any_reply(
    complaint, users, chain
):
    store = chain["stores"]["SH001"]
    store.phone = "021-11112222"
    store.save()
    reply = services.send_summary(
        actor=users["staff_sh001"], ticket=complaint, agreed="退款", next_steps="三个工作日内到账"
    )
    assert "021-11112222" in reply.body
    with pytest.raises(InvalidInput) as refused:
        services.send_summary(
            actor=users["staff_sh001"],
            ticket=complaint,
            agreed="这是我们公司的规定",
            next_steps="等通知",
        )
    assert refused.value.code == "forbidden_phrase"
    assert complaint.events.filter(kind="reply").count() == 1


def test_the_summary_template_itself_passes_the_checker():
    from kefu.quality.language import Context, check

    text = rules.summary_text(
        greeting="张先生您好",
        agreed="为您免费维修",
        next_steps="师傅明天上门",
        agent="王芳",
        phone="021-64261234",
        number="KF-20260301-000001",
    )
    assert not [
        f
        for f in check(text, Context(customer_surname="张", honorific="张先生", is_complaint=True))
    ]


def test_root_cause_is_required_to_resolve_a_complaint(complaint, users):
    agent = users["staff_sh001"]
    with pytest.raises(InvalidInput) as refused:
        ticket_services.change_status(actor=agent, ticket=complaint, status="resolved")
    assert refused.value.code == "root_cause_required" and refused.value.field == "root_cause"
    with pytest.raises(InvalidInput):
        ticket_services.change_status(
            actor=agent, ticket=complaint, status="closed"
        )  # closing unresolved counts too
    complaint.refresh_from_db()
    assert complaint.status == "new"
    services.set_root_cause(
        actor=agent, ticket=complaint, code="treated_rudely", note="店员未及时回应"
    )
    ticket_services.change_status(actor=agent, ticket=complaint, status="resolved")
    assert complaint.events.get(kind="root_cause").data == {
        "previous": None,
        "root_cause": "treated_rudely",
    }


def test_other_ticket_types_resolve_without_a_root_cause(chain, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    assert ticket.type == "fault_report"
    ticket_services.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    # Resolved with no root cause on record: no guide row, no root-cause event.
    assert not ComplaintGuide.objects.filter(ticket=ticket).exists()
    assert not ticket.events.filter(kind="root_cause").exists()


def test_root_cause_must_come_from_the_taxonomy(complaint, users):
    with pytest.raises(InvalidInput):
        services.set_root_cause(actor=users["staff_sh001"], ticket=complaint, code="bad_luck")
    with pytest.raises(Forbidden):
        services.set_root_cause(actor=users["qa"], ticket=complaint, code="slow_service")


def test_api_resolve_without_root_cause_is_422_with_a_chinese_message(api, complaint):
    r = post_json(
        api("staff_sh001"), f"/api/v1/tickets/{complaint.id}/status", {"status": "resolved"}
    )
    assert r.status_code == 422 and r.json()["code"] == "root_cause_required"
    assert "根因" in r.json()["detail"]
    r = post_json(
        api("staff_sh001"),
        f"/api/v1/tickets/{complaint.id}/status",
        {"status": "resolved"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "root cause" in r.json()["detail"]


# --------------------------------------------------------------------------- desk


def test_the_panel_shows_on_complaints_only(desk, chain, complaint):
    client = desk("staff_sh001")
    page = client.get(f"/desk/tickets/{complaint.id}/").content.decode()
    assert 'data-testid="complaint-guide"' in page and "先处理情绪，后处理事件" in page
    for code in rules.STEP_CODES:
        assert f'data-testid="step-{code}"' in page
    assert "称呼顾客的姓" in page  # the do / don't help
    assert "一开始就给出最大的让步" in page and "服务态度不佳" in page
    other = open_ticket(chain["stores"]["SH001"])
    assert (
        'data-testid="complaint-guide"'
        not in client.get(f"/desk/tickets/{other.id}/").content.decode()
    )


def test_desk_tick_with_htmx_returns_the_fresh_panel(desk, complaint):
    client = desk("staff_sh001")
    r = client.post(
        f"/desk/quality/tickets/{complaint.id}/guide/step/",
        {"step": "questions", "done": "1", "partial": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert page.strip().startswith("<link") and 'aria-pressed="true"' in page
    assert ComplaintGuide.objects.get(ticket=complaint).steps.keys() == {"questions"}
    again = client.post(
        f"/desk/quality/tickets/{complaint.id}/guide/step/",
        {"step": "questions", "done": "1", "partial": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert again.status_code == 200 and 'role="alert"' in again.content.decode()


def test_desk_root_cause_then_resolve(desk, complaint):
    client = desk("staff_sh001")
    r = client.post(
        f"/desk/tickets/{complaint.id}/status/",
        {"status": "resolved", "version": complaint.version},
    )
    assert r.status_code == 422 and 'data-code="root_cause_required"' in r.content.decode()
    r = client.post(
        f"/desk/quality/tickets/{complaint.id}/guide/root-cause/", {"root_cause": "slow_service"}
    )
    assert r.status_code == 302
    page = client.get(f"/desk/tickets/{complaint.id}/").content.decode()
    assert 'data-testid="root-cause"' in page and "服务不及时" in page
    r = client.post(
        f"/desk/tickets/{complaint.id}/status/",
        {"status": "resolved", "version": complaint.version},
    )
    assert r.status_code == 302


def test_desk_summary_is_sent_and_a_refused_one_keeps_the_drafts(desk, complaint):
    client = desk("staff_sh001")
    r = client.post(
        f"/desk/quality/tickets/{complaint.id}/guide/summary/",
        {"agreed": "我不知道能不能换", "next_steps": "明天回电", "version": "1"},
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert "我不知道能不能换" in page and 'data-code="forbidden_phrase"' in page
    r = client.post(
        f"/desk/quality/tickets/{complaint.id}/guide/summary/",
        {"agreed": "为您换一台同型号的新机", "next_steps": "明天上午送到", "version": "1"},
    )
    assert r.status_code == 302
    assert complaint.events.filter(kind="reply", body__contains="为您换一台同型号的新机").exists()


# --------------------------------------------------------------------------- API


def test_api_root_cause_taxonomy_and_guide_round_trip(api, complaint):
    client = api("staff_sh001")
    causes = client.get("/api/v1/quality/root-causes").json()
    assert (
        len(causes) == 24
        and {"code": "slow_service", "group": "after_sales", "label": "服务不及时"} in causes
    )
    base = f"/api/v1/quality/tickets/{complaint.id}/guide"
    assert client.get(base).json() == {
        "ticket_id": complaint.id,
        "steps": {},
        "root_cause": None,
        "root_cause_note": "",
        "summary_event_id": None,
    }
    r = post_json(client, f"{base}/steps", {"step": "opening"})
    assert r.status_code == 200 and set(r.json()["steps"]) == {"opening"}
    assert post_json(client, f"{base}/steps", {"step": "confirm"}).status_code == 422
    assert (
        post_json(client, f"{base}/root-cause", {"root_cause": "nope"}).json()["field"]
        == "root_cause"
    )
    r = post_json(
        client, f"{base}/root-cause", {"root_cause": "promise_not_kept", "note": "赠品未兑现"}
    )
    assert r.json()["root_cause"] == "promise_not_kept"
    r = post_json(
        client, f"{base}/summary", {"agreed": "今天补寄赠品", "next_steps": "快递单号短信通知您"}
    )
    assert (
        r.status_code == 201
        and r.json()["kind"] == "reply"
        and "今天补寄赠品。" in r.json()["body"]
    )
    assert client.get(base).json()["summary_event_id"] == r.json()["id"]
    assert (
        post_json(
            client, f"/api/v1/tickets/{complaint.id}/status", {"status": "resolved"}
        ).status_code
        == 200
    )


def test_api_guide_is_scoped_and_for_complaints_only(api, chain):
    beijing = open_ticket(chain["stores"]["BJ001"], type="complaint")
    assert api("staff_sh001").get(f"/api/v1/quality/tickets/{beijing.id}/guide").status_code == 404
    repair = open_ticket(chain["stores"]["SH001"])
    r = post_json(
        api("staff_sh001"), f"/api/v1/quality/tickets/{repair.id}/guide/steps", {"step": "opening"}
    )
    assert r.status_code == 409


def test_root_cause_groups_are_labelled_without_internal_references(complaint, desk):
    page = (
        desk("cs_agent")
        .get(f"/desk/tickets/{complaint.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    labels = re.findall(r'<optgroup label="([^"]*)"', page)
    assert "顾客为什么不满" in labels and "售后抱怨的原因" in labels
    assert not any("seed" in label for label in labels)
