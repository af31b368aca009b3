"""Weekly reports: one per manager and week, in the desk and mailed once with the workbook;
the desk home's this-week-vs-last strip for managers."""

import io
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from kefu.analytics import services
from kefu.analytics.models import WeeklyReport
from kefu.tickets import services as tickets
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def week(chain, users):
    """Last week (Mon 2026-03-02): two tickets at SH001, one at BJ001; one SH001 resolved."""
    for name in ("manager_sh001", "region_east", "cs_manager", "manager_bj001"):
        users[name].email = f"{name}@example.cn"
        users[name].save()
    stores = chain["stores"]
    with time_machine.travel(at(2026, 3, 3, 10), tick=False):
        a = open_ticket(stores["SH001"], type="consultation")
        open_ticket(stores["SH001"], type="consultation")
        open_ticket(stores["BJ001"], type="consultation")
    with time_machine.travel(at(2026, 3, 3, 11), tick=False):
        tickets.add_reply(actor=users["cs_agent"], ticket=a, body="您好，已处理。")
        tickets.change_status(actor=users["cs_agent"], ticket=a, status="resolved")


def run_monday():
    with time_machine.travel(at(2026, 3, 9, 6), tick=False):
        return services.weekly_reports()


def test_each_manager_gets_the_week_of_their_scope_once(week, users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = run_monday()
    assert first["week_start"] == "2026-03-02"
    # Store managers (2), regional managers (2), the CS manager: not agents, not admins.
    assert first["built"] == 5 and first["mailed"] == 4  # region_north has no e-mail address
    sh = WeeklyReport.objects.get(manager=users["manager_sh001"])
    assert sh.week_start == date(2026, 3, 2) and sh.scope["code"] == "SH001"
    assert sh.data["this_week"]["opened"] == 2 and sh.data["summary"]["resolved"] == 1
    assert WeeklyReport.objects.get(manager=users["cs_manager"]).data["this_week"]["opened"] == 3
    assert WeeklyReport.objects.get(manager=users["region_east"]).data["this_week"]["opened"] == 2

    message = next(m for m in mail.outbox if m.to == ["manager_sh001@example.cn"])
    assert "客服周报 2026-03-02" in message.subject and "新建工单 2 张" in message.body
    name, content, mimetype = message.attachments[0]
    assert name == "kefu-weekly-20260302.xlsx" and "spreadsheetml" in mimetype
    assert "xl/worksheets/sheet1.xml" in zipfile.ZipFile(io.BytesIO(content)).namelist()

    again = run_monday()  # retried task: nothing built, nothing mailed twice
    assert again["built"] == 0 and again["mailed"] == 0
    assert len(mail.outbox) == 4 and WeeklyReport.objects.count() == 5


def test_without_mail_the_report_is_only_in_the_desk(week, users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""
    assert run_monday()["mailed"] == 0 and not mail.outbox
    assert not WeeklyReport.objects.filter(mailed_at__isnull=False).exists()
    # Mail set up later: the next run mails the reports already built, still once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run_monday() == {"week_start": "2026-03-02", "built": 0, "mailed": 4}


def test_the_desk_lists_and_opens_own_reports_only(week, users, desk):
    run_monday()
    mine = WeeklyReport.objects.get(manager=users["manager_sh001"])
    other = WeeklyReport.objects.get(manager=users["manager_bj001"])
    client = desk("manager_sh001")
    listing = client.get("/desk/reports/weekly/").content.decode()
    assert f"/desk/reports/weekly/{mine.pk}/" in listing and f"/{other.pk}/" not in listing
    page = client.get(f"/desk/reports/weekly/{mine.pk}/")
    assert page.status_code == 200 and "上海徐家汇店" in page.content.decode()
    assert 'data-testid="week-strip"' in page.content.decode()
    book = client.get(f"/desk/reports/weekly/{mine.pk}/workbook/")
    assert book.status_code == 200 and book["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert client.get(f"/desk/reports/weekly/{other.pk}/").status_code == 404
    assert desk("cs_agent").get(f"/desk/reports/weekly/{mine.pk}/").status_code == 404


def test_a_managers_desk_home_compares_this_week_with_last(week, desk):
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        html = desk("manager_sh001").get("/desk/").content.decode()
        assert 'data-testid="home-numbers"' in html and "上海徐家汇店" in html
        assert "▲" in html  # 2 opened this week, 0 the week before
        assert 'href="/desk/reports/"' in html
        agent = desk("cs_agent").get("/desk/").content.decode()
        assert 'data-testid="home-numbers"' not in agent
        filtered = desk("manager_sh001").get("/desk/?view=all").content.decode()
        assert 'data-testid="home-numbers"' not in filtered
