"""Excel ticket lists too long to build while the browser waits: built by the task consumer,
downloaded from 导出记录 by their requester only, notified, and purged after some days."""

import datetime
import io
import re
import zipfile

import pytest
from django.utils import timezone

from kefu.analytics import services
from kefu.analytics.models import ExportJob, ExportStatus
from kefu.notifications.models import Notification
from tests.factories import open_ticket

EXPORT = "/desk/reports/export/?report=tickets&format=xlsx"


@pytest.fixture
def files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.KEFU_EXPORT_INLINE_ROWS = 2
    return tmp_path


@pytest.fixture
def three(chain):
    stores = chain["stores"]
    return [
        open_ticket(stores["SH001"]),
        open_ticket(stores["SH001"]),
        open_ticket(stores["BJ001"]),
    ]


def sheet_rows(data: bytes) -> list[str]:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    return re.findall(r"<row .*?</row>", xml)


def strings(data: bytes) -> str:
    book = zipfile.ZipFile(io.BytesIO(data))
    names = book.namelist()
    return "".join(book.read(n).decode() for n in names if n.endswith(".xml"))


def test_a_long_ticket_list_is_built_in_the_background(
    desk, users, three, files, django_capture_on_commit_callbacks
):
    manager = desk("cs_manager")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith("/desk/reports/exports/?new=")
    job = ExportJob.objects.get()
    assert (job.status, job.rows, job.requested_by) == ("done", 3, users["cs_manager"])
    assert job.query["from"] and job.query["to"]  # the period is fixed when asked for

    page = manager.get(response["Location"]).content.decode()
    assert "正在后台生成" in page and job.title in page and "工单明细" in job.title
    assert f"/desk/reports/exports/{job.pk}/download/" in page and "可下载" in page

    download = manager.get(f"/desk/reports/exports/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    data = b"".join(download.streaming_content)
    assert len(sheet_rows(data)) == 4  # the header and three tickets
    text = strings(data)
    assert "工单号" in text and "****" in text and three[0].number in text

    note = Notification.objects.get(recipient=users["cs_manager"], kind="export")
    assert "3" in note.text and job.title in note.text
    assert "导出记录" in manager.get("/desk/notifications/").content.decode()


def test_only_the_requester_sees_and_downloads_an_export(
    desk, three, files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk("cs_manager").get(EXPORT)
    job = ExportJob.objects.get()
    other = desk("manager_sh001")  # may export, but it is not theirs
    assert other.get(f"/desk/reports/exports/{job.pk}/download/").status_code == 404
    assert job.title not in other.get("/desk/reports/exports/").content.decode()
    agent = desk("cs_agent")  # may not export at all
    assert agent.get("/desk/reports/exports/").status_code == 404
    assert agent.get(f"/desk/reports/exports/{job.pk}/download/").status_code == 404


def test_a_short_list_still_downloads_at_once(desk, three, settings):
    response = desk("cs_manager").get(EXPORT)
    assert response.status_code == 200 and not ExportJob.objects.exists()
    assert len(sheet_rows(b"".join(response.streaming_content))) == 4


def test_the_queue_exports_in_the_background_with_its_filters(
    desk, three, files, settings, django_capture_on_commit_callbacks
):
    settings.KEFU_EXPORT_INLINE_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = desk("cs_manager").get("/desk/?view=all&store=SH001&format=xlsx")
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.source == "queue" and job.query["store"] == "SH001" and job.rows == 2
    data = b"".join(
        desk("cs_manager").get(f"/desk/reports/exports/{job.pk}/download/").streaming_content
    )
    assert three[2].number not in strings(data) and three[0].number in strings(data)
    # CSV streams while it is read: never a job
    csv = desk("cs_manager").get("/desk/?view=all&store=SH001&format=csv")
    assert csv.status_code == 200 and ExportJob.objects.count() == 1


def test_the_rows_are_read_with_the_rights_the_requester_has_when_built(
    desk, users, three, files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # asked for, not built yet
        desk("cs_manager").get(EXPORT)
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.QUEUED
    users["cs_manager"].is_active = False
    users["cs_manager"].save()
    assert services.build_export(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and not job.file and job.error == "您无权导出报表。"
    assert "失败" in Notification.objects.get(kind="export").text


def test_a_job_is_built_once_and_a_failure_says_what_to_do(
    desk, three, files, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk("cs_manager").get(EXPORT)
    job = ExportJob.objects.get()
    assert services.build_export(job.pk) == "skipped"  # a repeated task adds nothing
    assert Notification.objects.filter(kind="export").count() == 1

    with django_capture_on_commit_callbacks(execute=False):
        desk("cs_manager").get(EXPORT)
    broken = ExportJob.objects.exclude(pk=job.pk).get()

    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(services.exports, "write_xlsx", disk_full)
    assert services.build_export(broken.pk) == "failed"
    broken.refresh_from_db()
    assert "重试" in broken.error and "space" not in broken.error
    page = desk("cs_manager").get("/desk/reports/exports/").content.decode()
    assert "失败" in page and broken.error in page


def test_old_exports_go_with_their_files_and_lost_ones_fail(
    desk, three, files, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk("cs_manager").get(EXPORT)
    done = ExportJob.objects.get()
    path = files / done.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=False):
        desk("cs_manager").get(EXPORT)
    lost = ExportJob.objects.exclude(pk=done.pk).get()
    ExportJob.objects.filter(pk=lost.pk).update(
        status=ExportStatus.RUNNING, created_at=timezone.now() - datetime.timedelta(hours=3)
    )
    assert services.purge_exports() == 0
    lost.refresh_from_db()
    assert lost.status == "failed" and lost.error
    later = timezone.now() + datetime.timedelta(days=settings.KEFU_EXPORT_KEEP_DAYS, hours=1)
    assert services.purge_exports(now=later) == 2
    assert not path.exists() and not ExportJob.objects.exists()


def test_a_list_longer_than_a_worksheet_goes_on_to_the_next_sheet(monkeypatch):
    from kefu.analytics import exports

    monkeypatch.setattr(exports, "SHEET_ROWS", 3)  # a header and two rows per sheet
    out = io.BytesIO()
    assert exports.write_xlsx(out, ["工单号"], [(f"KF-{i}",) for i in range(5)]) == 5
    book = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    sheets = sorted(n for n in book.namelist() if n.startswith("xl/worksheets/sheet"))
    assert len(sheets) == 3
    assert [len(re.findall(r"<row ", book.read(s).decode())) for s in sheets] == [3, 3, 2]
    assert "报表 (3)" in book.read("xl/workbook.xml").decode()
    empty = io.BytesIO()
    assert exports.write_xlsx(empty, ["工单号"], []) == 0
    assert zipfile.ZipFile(io.BytesIO(empty.getvalue())).namelist()


def test_the_queue_offers_its_own_list_as_an_export_to_managers(desk, three):
    page = desk("cs_manager").get("/desk/?view=all&store=SH001").content.decode()
    assert 'data-testid="queue-exports"' in page and "导出此列表" in page
    assert "?view=all&amp;store=SH001&amp;format=xlsx" in page
    assert "/desk/reports/exports/" in page
    assert 'data-testid="queue-exports"' not in desk("cs_agent").get("/desk/").content.decode()


API = "/api/v1/reports/tickets?format=xlsx"


def test_the_api_answers_a_long_workbook_with_an_export_to_poll(
    api, three, files, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # asked for, not built yet
        response = api("cs_manager").get(API)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["download"] is None
    assert response["Location"] == body["url"] == f"/api/v1/reports/exports/{body['id']}"
    waiting = api("cs_manager").get(body["url"] + "/file")
    assert waiting.status_code == 409 and "排队中" in waiting.json()["detail"]

    assert services.build_export(body["id"]) == "done"
    done = api("cs_manager").get(body["url"]).json()
    assert done["status"] == "done" and done["rows"] == 3 and done["download"]
    assert [e["id"] for e in api("cs_manager").get("/api/v1/reports/exports").json()] == [
        body["id"]
    ]
    data = b"".join(api("cs_manager").get(done["download"]).streaming_content)
    assert len(sheet_rows(data)) == 4

    assert api("manager_sh001").get(body["url"]).status_code == 404  # not theirs
    assert api("manager_sh001").get(done["download"]).status_code == 404
    assert api("cs_agent").get("/api/v1/reports/exports").status_code == 403


def test_the_api_export_keeps_its_status_filter(
    api, users, three, files, settings, django_capture_on_commit_callbacks
):
    from kefu.tickets import services as tickets

    settings.KEFU_EXPORT_INLINE_ROWS = 1
    tickets.change_status(actor=users["cs_agent"], ticket=three[0], status="resolved")
    tickets.change_status(actor=users["cs_agent"], ticket=three[1], status="resolved")
    with django_capture_on_commit_callbacks(execute=True):
        response = api("cs_manager").get(API + "&status=resolved")
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert job.query["status"] == "resolved" and job.rows == 2
    # One ticket in that status is short enough to answer at once.
    tickets.change_status(actor=users["cs_agent"], ticket=three[2], status="pending_customer")
    short = api("cs_manager").get(API + "&status=pending_customer")
    assert short.status_code == 200 and ExportJob.objects.count() == 1
