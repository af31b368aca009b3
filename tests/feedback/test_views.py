"""Desk pages: the ticket panel, follow-up calls, the card inbox, compensation, satisfaction."""

import datetime

import pytest
from django.utils import timezone

from kefu.customers.models import PiiReveal
from kefu.feedback import services
from kefu.feedback.models import Compensation, FollowUp
from kefu.tickets.models import Ticket
from tests.factories import CustomerFactory, open_ticket

pytestmark = pytest.mark.django_db


def overdue_call(resolved, store="SH001", **kw):
    ticket = resolved(store, type="complaint", **kw)
    day = timezone.localdate() - datetime.timedelta(days=6)
    Ticket.objects.filter(pk=ticket.pk).update(
        resolved_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(15)))
    )
    services.generate_followups()
    return FollowUp.objects.get(ticket=ticket)


def test_the_ticket_page_shows_the_customers_voice(resolved, desk, users):
    ticket = resolved()
    services.answer_survey(token=ticket.survey.token, csat=2, comment="等太久")
    services.request_compensation(
        actor=users["staff_sh001"],
        ticket=ticket,
        kind="gift",
        purpose="goodwill",
        amount="300",
        gift="电饭煲",
        reason="致歉",
    )
    page = desk("manager_sh001").get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert (
        'data-testid="feedback-panel"' in page and 'data-testid="csat"' in page and "等太久" in page
    )
    assert "满意度评分低" in page and "电饭煲" in page and 'value="approve"' in page
    staff_page = desk("staff_sh001").get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert 'value="approve"' not in staff_page and "给予补偿或善意补偿" in staff_page


def test_compensation_from_the_ticket_page(chain, desk, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    r = desk("staff_sh001").post(
        f"/desk/feedback/tickets/{ticket.pk}/compensation/",
        {"kind": "cash", "purpose": "loss", "amount": "600", "reason": "运输损坏"},
    )
    assert r.status_code == 302 and r["Location"] == f"/desk/tickets/{ticket.pk}/"
    item = Compensation.objects.get()
    assert item.awaiting_tier == "regional_manager"
    bad = desk("staff_sh001").post(
        f"/desk/feedback/tickets/{ticket.pk}/compensation/",
        {"kind": "cash", "purpose": "loss", "amount": "abc", "reason": "x"},
    )
    assert (
        bad.status_code == 422
        and "“abc”不是有效金额" in bad.content.decode()
        and Compensation.objects.count() == 1
    )
    assert (
        desk("manager_sh001")
        .post(f"/desk/feedback/compensations/{item.pk}/decide/", {"decision": "approve"})
        .status_code
        == 403
    )
    assert (
        desk("manager_bj001")
        .post(f"/desk/feedback/compensations/{item.pk}/decide/", {"decision": "approve"})
        .status_code
        == 404
    )
    r = desk("region_east").post(
        f"/desk/feedback/compensations/{item.pk}/decide/", {"decision": "approve", "next": "list"}
    )
    assert r.status_code == 302 and Compensation.objects.get().status == "approved"
    assert (
        desk("staff_bj001")
        .post(
            f"/desk/feedback/tickets/{ticket.pk}/compensation/",
            {"kind": "cash", "purpose": "loss", "amount": "6", "reason": "x"},
        )
        .status_code
        == 404
    )


def test_the_compensation_page_lists_what_waits_for_me_and_sums_per_store(chain, desk, users):
    ticket = open_ticket(chain["stores"]["SH001"])
    services.request_compensation(
        actor=users["staff_sh001"],
        ticket=ticket,
        kind="cash",
        purpose="goodwill",
        amount="40",
        reason="致歉",
    )
    services.request_compensation(
        actor=users["staff_sh001"],
        ticket=ticket,
        kind="cash",
        purpose="goodwill",
        amount="200",
        reason="致歉",
    )
    page = desk("manager_sh001").get("/desk/feedback/compensations/").content.decode()
    assert (
        'data-testid="decide"' in page
        and "¥200.00" in page
        and 'data-testid="summary"' in page
        and "¥40.00" in page
    )
    staff = desk("staff_sh001").get("/desk/feedback/compensations/")
    assert staff.status_code == 200 and 'data-testid="summary"' not in staff.content.decode()
    assert desk("trainer").get("/desk/feedback/compensations/").status_code == 404


def test_follow_up_pages_show_the_script_reveal_the_phone_and_record_the_outcome(
    resolved, desk, users
):
    call = overdue_call(resolved, customer=CustomerFactory(name="刘洋", gender="male"))
    listing = desk("manager_sh001").get("/desk/feedback/followups/?view=overdue").content.decode()
    assert (
        f"/desk/feedback/followups/{call.pk}/" in listing
        and 'data-testid="overdue-count"' in listing
    )
    page = desk("staff_sh001").get(f"/desk/feedback/followups/{call.pk}/").content.decode()
    assert "刘先生您好，我是上海徐家汇店的客服" in page and call.ticket.customer.phone in page
    assert PiiReveal.objects.filter(
        user=users["staff_sh001"], context=f"desk:followup:{call.pk}"
    ).exists()
    bad = desk("staff_sh001").post(
        f"/desk/feedback/followups/{call.pk}/call/", {"outcome": "unsatisfied"}
    )
    assert bad.status_code == 422
    ok = desk("staff_sh001").post(
        f"/desk/feedback/followups/{call.pk}/call/", {"outcome": "satisfied", "note": "满意"}
    )
    assert ok.status_code == 302 and FollowUp.objects.get(pk=call.pk).outcome == "satisfied"
    assert desk("staff_bj001").get(f"/desk/feedback/followups/{call.pk}/").status_code == 404
    assert desk("trainer").get("/desk/feedback/followups/").status_code == 404


def test_store_staff_do_not_get_the_overdue_view(resolved, desk):
    overdue_call(resolved)
    page = desk("staff_sh001").get("/desk/feedback/followups/?view=overdue").content.decode()
    assert 'data-testid="overdue-count"' not in page
    assert (
        '<a href="?view=overdue"' not in page
    )  # the open list still marks late calls, but no overdue tab


def test_the_card_inbox_and_handling(chain, desk):
    card = services.submit_card(
        store="SH001",
        category="complaint",
        text="收银员态度差",
        name="赵敏",
        phone="13700001111",
        gender="female",
        consent=True,
    )
    inbox = desk("manager_sh001").get("/desk/feedback/cards/").content.decode()
    assert "收银员态度差" in inbox and "赵女士" in inbox
    assert desk("staff_sh001").get("/desk/feedback/cards/").status_code == 404
    assert desk("manager_bj001").get(f"/desk/feedback/cards/{card.pk}/").status_code == 404
    assert (
        desk("manager_sh001")
        .post(f"/desk/feedback/cards/{card.pk}/handle/", {"note": ""})
        .status_code
        == 422
    )
    r = desk("manager_sh001").post(f"/desk/feedback/cards/{card.pk}/handle/", {"action": "ticket"})
    ticket = Ticket.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/desk/tickets/{ticket.pk}/"


def test_the_satisfaction_page_averages_by_store(resolved, desk):
    for score in (5, 2):
        t = resolved()
        services.answer_survey(token=t.survey.token, csat=score)
    page = desk("region_east").get("/desk/feedback/surveys/").content.decode()
    assert 'data-testid="csat-summary"' in page and "3.50" in page
    assert desk("staff_sh001").get("/desk/feedback/surveys/").status_code == 404


def test_the_top_bar_links_follow_the_role(chain, desk):
    manager = desk("manager_sh001").get("/desk/").content.decode()
    for url in (
        "/desk/feedback/followups/",
        "/desk/feedback/cards/",
        "/desk/feedback/compensations/",
        "/desk/feedback/surveys/",
    ):
        assert f'href="{url}"' in manager
    staff = desk("staff_sh001").get("/desk/").content.decode()
    assert (
        'href="/desk/feedback/followups/"' in staff and 'href="/desk/feedback/cards/"' not in staff
    )
    assert 'href="/desk/feedback/' not in desk("trainer").get("/desk/").content.decode()


def test_the_call_form_asks_the_call_result_and_the_satisfaction_apart(resolved, desk):
    call = overdue_call(resolved, customer=CustomerFactory(name="刘洋", gender="male"))
    staff = desk("staff_sh001")
    page = staff.get(f"/desk/feedback/followups/{call.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    result = html.split('data-testid="call-result"')[1].split("</fieldset>")[0]
    verdict = html.split('data-testid="satisfaction"')[1].split("</fieldset>")[0]
    assert "通话结果" in result and "拒接" in result and "空号" in result and "满意" not in result
    assert "满意度" in verdict and "不满意" in verdict and "拒接" not in verdict
    url = f"/desk/feedback/followups/{call.pk}/call/"
    # Reached but no verdict: refused with a Chinese message, nothing recorded.
    bad = staff.post(url, {"call": "reached"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad.status_code == 422 and "请选择顾客的满意度" in bad.content.decode()
    # Refused: not reached (the call stays on the list), the note says 拒接; a confirmation.
    r = staff.post(url, {"call": "refused"}, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
    call.refresh_from_db()
    assert call.attempts == 1 and call.done_at is None and "拒接" in call.note
    assert "已记录本次拨打" in r.content.decode().split('class="flash"')[1]
    staff.post(url, {"call": "reached", "satisfaction": "satisfied"})
    call.refresh_from_db()
    assert call.outcome == "satisfied" and call.done_at is not None
