"""Writes of the reports: each manager's weekly report, stored once and mailed once."""

import datetime
import io
import logging
import secrets
import tempfile

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.errors import Forbidden, NotFound
from kefu.notifications.models import NotificationKind
from kefu.notifications.services import notify
from kefu.org.roles import Role
from kefu.org.selectors import can
from kefu.tasks import queued
from kefu.tickets.models import Status
from kefu.tickets.selectors import ticket_queue

from . import exports, selectors
from .models import ExportJob, ExportStatus, WeeklyReport

log = logging.getLogger(__name__)
# Who gets a weekly report: the managers of a store, a region and the CS department.
WEEKLY_ROLES = (Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.CS_MANAGER)


def mail_configured() -> bool:
    """Mail goes out when a backend other than SMTP is set (tests: locmem), or SMTP with a real
    host (unset EMAIL_HOST, or Django's default "localhost": no mail at all)."""
    if not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        return True
    return (getattr(settings, "EMAIL_HOST", "") or "") not in ("", "localhost")


def build_weekly(user, week_start: datetime.date) -> dict:
    """A manager's week: the summary of their scope, and last week's headline numbers."""
    scope = selectors.scope_for(user)
    report = selectors.Report(
        scope, selectors.Period(week_start, week_start + datetime.timedelta(days=6))
    )
    return {
        "scope": scope.as_json(),
        "data": {
            "summary": selectors.summary(report),
            "this_week": selectors.week_numbers(scope, week_start),
            "last_week": selectors.week_numbers(scope, week_start - datetime.timedelta(days=7)),
        },
    }


def workbook(report: WeeklyReport) -> bytes:
    """The week's summary as an Excel workbook (指标 / 名称 / 数值), in memory: a summary is a
    few hundred rows."""
    out = io.BytesIO()
    exports.write_xlsx(out, exports.REPORT_HEADERS, exports.flatten(report.data["summary"]))
    return out.getvalue()


def weekly_filename(report: WeeklyReport) -> str:
    return f"kefu-weekly-{report.week_start:%Y%m%d}.xlsx"


def _mail(report: WeeklyReport) -> bool:
    """Mail the report with its workbook, once: the row is claimed (mailed_at set) before the
    send and released if the send fails, so two workers never mail it twice."""
    to = report.manager.email
    if not to or not mail_configured() or report.mailed_at is not None:
        return False
    claimed = WeeklyReport.objects.filter(pk=report.pk, mailed_at__isnull=True).update(
        mailed_at=timezone.now(), mailed_to=to
    )
    if not claimed:
        return False
    until = report.week_start + datetime.timedelta(days=6)
    week = report.data.get("this_week", {})
    staff = getattr(report.manager, "staff", None)
    name = staff.display_name if staff else report.manager.get_username()
    lines = [
        f"{name}，您好：",
        "",
        f"附件是 {report.week_start:%Y-%m-%d} 至 {until:%Y-%m-%d} 的客服周报（Excel）。",
        f"本周新建工单 {week.get('opened', 0)} 张，解决 {week.get('resolved', 0)} 张，"
        f"重开 {week.get('reopened', 0)} 张。",
    ]
    public = (getattr(settings, "KEFU_PUBLIC_URL", "") or "").rstrip("/")
    if public:
        lines.append(f"在线查看：{public}/desk/reports/weekly/{report.pk}/")
    message = EmailMessage(
        subject=f"客服周报 {report.week_start:%Y-%m-%d} – {until:%Y-%m-%d}",
        body="\n".join(lines) + "\n",
        to=[to],
    )
    message.attach(weekly_filename(report), workbook(report), exports.XLSX)
    try:
        message.send()
    except Exception:
        WeeklyReport.objects.filter(pk=report.pk).update(mailed_at=None, mailed_to="")
        log.exception("weekly report mail failed", extra={"report": report.pk})
        return False
    return True


def weekly_reports(week_start: datetime.date | None = None) -> dict:
    """Build (once) and mail (once) the weekly report of every active manager for the week
    starting ``week_start`` (default: last week). Idempotent per week and manager: the unique
    row is the record; a second run builds nothing and mails nothing already mailed."""
    week_start = selectors.monday(week_start or timezone.localdate() - datetime.timedelta(days=7))
    managers = (
        get_user_model().objects.filter(is_active=True, staff__role__in=WEEKLY_ROLES).order_by("pk")
    )
    out = {"week_start": week_start.isoformat(), "built": 0, "mailed": 0}
    for user in managers:
        report = WeeklyReport.objects.filter(manager=user, week_start=week_start).first()
        if report is None:
            try:
                with translation.override(settings.LANGUAGE_CODE):
                    built = build_weekly(user, week_start)
            except NotFound:  # a manager with no scope (no store / region set)
                continue
            try:
                with transaction.atomic():
                    report = WeeklyReport.objects.create(
                        manager=user, week_start=week_start, **built
                    )
                out["built"] += 1
            except IntegrityError:  # another worker built it meanwhile
                report = WeeklyReport.objects.get(manager=user, week_start=week_start)
        report.manager = user
        if _mail(report):
            out["mailed"] += 1
    return out


# --------------------------------------------------------------------------- exports built later


def too_long_to_wait(tickets) -> bool:
    """More tickets than an Excel file built while the browser waits should hold
    (KEFU_EXPORT_INLINE_ROWS; counted no further than that)."""
    limit = settings.KEFU_EXPORT_INLINE_ROWS
    return tickets.order_by()[: limit + 1].count() > limit


def request_export(user, *, source: str, query: dict, title: str) -> ExportJob:
    """Queue an Excel ticket list for the task consumer (``source``: "report", the reports'
    ticket list with ``selectors.report_query``; "queue", a desk queue with the keyword
    arguments of ``tickets.selectors.ticket_queue``, dates as ISO strings)."""
    if source not in ExportJob.SOURCES:
        raise ValueError(source)
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=user, source=source, query=query, title=title[:200]
        )
        transaction.on_commit(lambda: build_export_task(job.pk))
    return job


def export_report_later(user, report, *, status: str | None = None) -> ExportJob | None:
    """The reports' Excel ticket list (``status``: only tickets in it) as an ExportJob when it
    is too long to build while the caller waits; None when it is short enough to build now."""
    if not too_long_to_wait(selectors.export_tickets(report, status=status)):
        return None
    period = report.period
    title = _("Ticket list %(since)s – %(until)s, %(scope)s") % {
        "since": period.since.isoformat(),
        "until": period.until.isoformat(),
        "scope": report.scope.as_json().get("name") or _("all stores"),
    }
    query = selectors.report_query(report)
    if status in Status.values:
        query["status"] = status
    return request_export(user, source="report", query=query, title=title)


def _job_rows(job: ExportJob):
    """The job's rows, read with the requester's scope as it is now."""
    user = job.requested_by
    if job.source == "report":
        report = selectors.report_for(user, job.query)
        return selectors.export_rows(report, status=job.query.get("status"))
    query = dict(job.query)
    for key in ("opened_from", "opened_to"):
        query[key] = selectors.parse_date(query.get(key))
    return selectors.export_values(ticket_queue(user, **query))


def build_export(job_id: int) -> str:
    """Build a queued export into the file storage and tell its requester: "done", "failed",
    or "skipped" when the job is gone or already taken (a repeated task does nothing)."""
    if not ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING
    ):
        return "skipped"
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    user = job.requested_by
    with translation.override(settings.LANGUAGE_CODE):
        try:
            if not (user.is_active and can(user, "analytics.export")):
                raise Forbidden(_("You may not export reports."))
            rows = exports.ticket_rows(_job_rows(job))
            with tempfile.TemporaryFile() as spool:
                n = exports.write_xlsx(spool, exports.TICKET_HEADERS, rows)
                spool.seek(0)
                job.file.save(f"{secrets.token_hex(12)}.xlsx", File(spool), save=False)
        except (Forbidden, NotFound) as exc:  # rights or scope changed since it was asked for
            return _finish(job, ExportStatus.FAILED, error=str(exc))
        except Exception:
            log.exception("export %s failed", job.pk)
            return _finish(
                job,
                ExportStatus.FAILED,
                error=_("The file could not be built; try again, or choose a shorter period."),
            )
        exports.audit.info(
            "export", extra={"user": user.get_username(), "report": job.source, "rows": n}
        )
        return _finish(job, ExportStatus.DONE, rows=n)


# The consumer builds it (a task here, not in tasks.py, which imports this module).
build_export_task = queued(build_export)


def _finish(job: ExportJob, status: str, *, rows: int | None = None, error: str = "") -> str:
    with transaction.atomic():
        job.status, job.rows, job.error = status, rows, error[:300]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "rows", "error", "file", "finished_at"])
        if status == ExportStatus.DONE:
            text = _(
                "Your export “%(title)s” is ready: %(rows)s rows. Download it from Exports "
                "within %(days)s days."
            ) % {"title": job.title, "rows": rows, "days": settings.KEFU_EXPORT_KEEP_DAYS}
        else:
            text = _("Your export “%(title)s” failed: %(error)s") % {
                "title": job.title,
                "error": job.error,
            }
        notify([job.requested_by_id], kind=NotificationKind.EXPORT, text=text)
    return status


def purge_exports(now: datetime.datetime | None = None) -> int:
    """Delete the exports older than KEFU_EXPORT_KEEP_DAYS with their files, and fail the ones
    a consumer lost (stopped while building: still waiting or building after two hours).
    Returns how many were deleted."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(
        created_at__lt=now - datetime.timedelta(days=settings.KEFU_EXPORT_KEEP_DAYS)
    )
    for job in old.exclude(file="").iterator():
        job.file.delete(save=False)
    deleted, _by_model = old.delete()
    lost = ExportJob.objects.filter(
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
        created_at__lt=now - datetime.timedelta(hours=2),
    )
    for job in lost.select_related("requested_by"):
        with translation.override(settings.LANGUAGE_CODE):
            _finish(job, ExportStatus.FAILED, error=_("The file was not built in time; try again."))
    return deleted
