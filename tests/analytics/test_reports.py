"""Report numbers on a small hand-built history, on SQLite and PostgreSQL alike; scope; query
counts; exports."""

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.tickets import services as tickets
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/reports/summary?from=2026-03-01&to=2026-03-07"


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def history(chain, users):
    """Three tickets: one answered in an hour and resolved at first contact, one answered a day
    late and still open, one answered in 30 minutes but resolved only after a second reply."""
    agent = users["cs_agent"]
    stores = chain["stores"]
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        quick = open_ticket(stores["SH001"], type="consultation")
        late = open_ticket(stores["SH001"], type="consultation")
    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        tickets.add_reply(actor=agent, ticket=quick, body="您好，已为您处理。")
    with time_machine.travel(at(2026, 3, 2, 12), tick=False):
        tickets.change_status(actor=agent, ticket=quick, status="resolved")
    with time_machine.travel(at(2026, 3, 3, 10), tick=False):
        twice = open_ticket(stores["BJ001"], type="fault_report")
    with time_machine.travel(at(2026, 3, 3, 10, 30), tick=False):
        tickets.add_reply(actor=agent, ticket=twice, body="您好，请提供型号。")
    with time_machine.travel(at(2026, 3, 3, 11), tick=False):
        tickets.add_reply(actor=agent, ticket=late, body="抱歉久等了。")  # 25 h: met late
        tickets.add_reply(actor=agent, ticket=twice, body="师傅下午上门。")
    with time_machine.travel(at(2026, 3, 3, 14), tick=False):
        tickets.change_status(actor=agent, ticket=twice, status="resolved")
    return {"quick": quick, "late": late, "twice": twice}


def summary(api, user, url=URL):
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        response = api(user).get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_chain_summary_has_the_numbers_of_the_history(api, history):
    s = summary(api, "cs_manager")
    assert s["period"] == {"from": "2026-03-01", "to": "2026-03-07"}
    assert s["scope"] == {"kind": "all"}
    assert (s["opened"], s["resolved"]) == (3, 2)
    # First replies after 30, 60 and 1500 minutes: nearest-rank median 60, p90 1500.
    assert s["first_response"]["median_minutes"] == 60
    assert s["first_response"]["p90_minutes"] == 1500
    # A fault report's first response also needs a solution timetable, which "twice" never got:
    # its clock was cancelled at resolution. Of the two met, one was late.
    assert s["first_response"]["on_time_rate"] == 0.5
    # Resolved after 120 and 240 minutes.
    assert (s["resolution"]["median_minutes"], s["resolution"]["p90_minutes"]) == (120, 240)
    assert s["sla"]["met_late"] == 1 and s["sla"]["met_on_time"] >= 3
    assert s["fcr_rate"] == 0.5  # one of the two resolved took a single reply
    assert s["backlog"]["1_3d"] == 1 and sum(s["backlog"].values()) == 1
    assert set(s["aftersales"]) >= {
        "return",
        "exchange",
        "repair",
        "paid_repair",
        "depreciation_fees",
        "refunds",
    }
    assert s["csat"]["responses"] == 0 and s["root_causes"] == []


def test_volume_by_day_type_and_channel_uses_shanghai_days(api, history):
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        v = api("cs_manager").get("/api/v1/reports/volume?from=2026-03-01&to=2026-03-04").json()
    assert [d["count"] for d in v["by_day"]] == [0, 2, 1, 0]
    assert {r["code"]: r["count"] for r in v["by_type"]} == {"consultation": 2, "fault_report": 1}
    assert {r["code"]: r["count"] for r in v["by_store"]} == {"SH001": 2, "BJ001": 1}


def test_a_store_manager_sees_only_their_store(api, history):
    s = summary(api, "manager_sh001")
    assert s["scope"]["code"] == "SH001"
    assert (s["opened"], s["resolved"]) == (2, 1)
    assert s["first_response"]["median_minutes"] == 60
    assert s["fcr_rate"] == 1.0


@pytest.mark.parametrize(
    ("user", "query"),
    [
        ("manager_sh001", "&store=BJ001"),
        ("manager_sh001", "&region=north"),
        ("region_east", "&store=BJ001"),
        ("region_east", "&region=华北"),
    ],
)
def test_a_store_or_region_outside_the_scope_is_a_404(api, history, user, query):
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        assert api(user).get(URL + query).status_code == 404


def test_a_regional_manager_may_pick_a_store_of_the_region(api, history):
    s = summary(api, "region_east", URL + "&store=SH001")
    assert s["opened"] == 2
    assert summary(api, "region_east")["opened"] == 2  # SH002 has none


def test_agents_have_no_reports(api, history):
    assert api("cs_agent").get(URL).status_code == 403
    assert api("staff_sh001").get(URL).status_code == 403


def test_the_summary_costs_the_same_queries_however_many_tickets(api, history, chain):
    summary(api, "cs_manager")  # warm the token and settings caches
    with CaptureQueriesContext(connection) as before:
        summary(api, "cs_manager")
    refreshing = []
    for n in (2, 6):
        with time_machine.travel(at(2026, 3, 5, 10), tick=False):
            for _ in range(n):
                open_ticket(chain["stores"]["SH002"], type="complaint")
        # The first read after changes refreshes the changed tickets' report facts first: a
        # fixed number of queries, however many tickets changed.
        with CaptureQueriesContext(connection) as after:
            summary(api, "cs_manager")
        refreshing.append(len(after))
    with CaptureQueriesContext(connection) as again:
        summary(api, "cs_manager")
    assert len(again) == len(before) <= 40
    assert refreshing[0] == refreshing[1] <= len(before) + 25  # one day rebuilt


def test_the_summary_as_csv_and_xlsx(api, history):
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        response = api("cs_manager").get(URL + "&format=csv")
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert body.splitlines()[0] == "指标,名称,数值" and "opened,,3" in body
        response = api("cs_manager").get(URL + "&format=xlsx")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_the_ticket_export_masks_mobiles(api, history):
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        response = api("cs_manager").get(
            "/api/v1/reports/tickets?from=2026-03-01&to=2026-03-07&format=csv"
        )
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("工单号,创建时间,门店")
    assert len(lines) == 4
    assert all("****" in line for line in lines[1:])


def test_the_dashboard_shows_the_numbers_to_a_manager(desk, history):
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        page = desk("manager_sh001").get("/desk/reports/?from=2026-03-01&to=2026-03-07")
        assert page.status_code == 200
        html = page.content.decode()
        assert "上海徐家汇店" in html and 'data-testid="fcr">100%' in html
        assert "4%" in html and "96%" in html and "90%" in html
        assert desk("cs_agent").get("/desk/reports/").status_code == 404


def test_business_hours_leave_out_the_night(api, history):
    """A reply at 11:00 the next day is 25 calendar hours but only one working day of the store's
    calendar; a reply within opening hours is the same in both."""
    from kefu.sla.models import SlaClock

    s = summary(api, "cs_manager")
    fr = s["first_response"]
    late = SlaClock.objects.get(ticket=history["late"], target="first_response")
    quick = SlaClock.objects.get(ticket=history["quick"], target="first_response")
    assert quick.business_seconds == 3600
    assert 0 < late.business_seconds < 25 * 3600
    assert fr["business_median_minutes"] == 60
    assert fr["business_p90_minutes"] == late.business_seconds / 60
    assert fr["business_p90_minutes"] < fr["p90_minutes"]
    assert s["resolution"]["business_median_minutes"] is not None


def test_numbers_drill_down_to_the_queue_behind_them(desk, history):
    """The opened count links to the queue with the period and scope in the URL, and that
    queue lists exactly those tickets (by channel too)."""
    import re

    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        client = desk("cs_manager")
        html = client.get("/desk/reports/?from=2026-03-01&to=2026-03-07").content.decode()
        link = re.search(r'href="(/desk/\?[^"]+)" data-testid="drill-opened"', html).group(1)
        link = link.replace("&amp;", "&")
        assert "from=2026-03-01" in link and "to=2026-03-07" in link and "view=all" in link
        queue = client.get(link).content.decode()
        assert 'data-testid="queue-count">3 ' in queue and 'data-testid="drill"' in queue
        for t in history.values():
            assert t.number in queue
        none = client.get("/desk/?view=all&from=2026-03-05&to=2026-03-07").content.decode()
        assert 'data-testid="queue-count">0 ' in none
        sh = client.get(link + "&store=SH001").content.decode()
        assert 'data-testid="queue-count">2 ' in sh


def test_breakdowns_count_escalations_the_rung_below_could_have_solved(api, history, users, chain):
    """A manual escalation answered once and resolved, granting nothing: avoidable. One that
    took two more replies: not. Automatic ones are never counted."""
    agent, staff = users["cs_agent"], users["staff_sh001"]
    with time_machine.travel(at(2026, 3, 3, 15), tick=False):
        hard = open_ticket(chain["stores"]["SH001"], type="consultation")
        tickets.escalate(actor=staff, ticket=history["late"], reason="顾客要求找店长")
        tickets.escalate(actor=staff, ticket=hard, reason="顾客要求找店长")
    with time_machine.travel(at(2026, 3, 3, 16), tick=False):
        tickets.add_reply(actor=agent, ticket=history["late"], body="店长已为您处理。")
        tickets.change_status(actor=agent, ticket=history["late"], status="resolved")
        tickets.add_reply(actor=agent, ticket=hard, body="店长来电。")
        tickets.add_reply(actor=agent, ticket=hard, body="已安排。")
        tickets.change_status(actor=agent, ticket=hard, status="resolved")
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        b = api("cs_manager").get(URL.replace("summary", "breakdowns")).json()
    esc = b["escalations"]
    assert esc["manual_resolved"] == 2 and esc["avoidable"] == 1
    assert {"code": "manual", "label": "人工升级", "automatic": False, "count": 2} in esc[
        "by_cause"
    ]
    assert set(b) == {
        "voice_of_customer",
        "aftersales",
        "csat_questions",
        "low_scores",
        "escalations",
        "compensation_reasons",
        "qa_service_types",
    }
    assert b["aftersales"]["failed_twice"] == 0 and b["low_scores"]["low"] == 0
    assert [o["code"] for o in b["low_scores"]["outcomes"]][0] == "open"


def test_any_filtered_queue_exports_with_format(desk, history):
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        response = desk("cs_manager").get(
            "/desk/?view=all&from=2026-03-01&to=2026-03-07&store=SH001&format=csv"
        )
        assert response.status_code == 200
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
        assert lines[0].startswith("工单号,创建时间,门店") and len(lines) == 3
        assert all("****" in line and "SH001" in line for line in lines[1:])
        book = desk("cs_manager").get("/desk/?view=all&format=xlsx")
        assert book.status_code == 200 and book["Content-Type"].startswith("application/vnd")
        assert desk("cs_agent").get("/desk/?view=all&format=csv").status_code in (403, 404)


def test_voice_of_customer_notes_are_counted_in_the_reports_by_scope(api, users, chain):
    """What staff heard (the registers' notes) counts in the period, for the scope asked."""
    from kefu.registers import services as registers

    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        registers.note_voice(actor=users["staff_sh001"], text="问能不能保价", theme="price")
        registers.note_voice(actor=users["staff_sh001"], text="还是想问保价", theme="price")
        registers.note_voice(actor=users["staff_bj001"], text="送货太慢", theme="delivery")
    with time_machine.travel(at(2026, 3, 9, 11), tick=False):  # after the period
        registers.note_voice(actor=users["staff_sh001"], text="保价呢", theme="price")
        chain_wide = api("cs_manager").get(URL.replace("summary", "breakdowns")).json()
        sh = api("cs_manager").get(URL.replace("summary", "breakdowns") + "&store=SH001").json()
    counts = {r["theme"]: r["count"] for r in chain_wide["voice_of_customer"]}
    assert counts == {"price": 2, "delivery": 1}
    assert [(r["theme"], r["count"]) for r in sh["voice_of_customer"]] == [("price", 2)]
    assert sh["voice_of_customer"][0]["label"] != "price"  # the theme's name, not its code
