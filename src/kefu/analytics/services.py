"""Writes of the reports: each manager's weekly report, stored once and mailed once."""

import datetime
import io
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from kefu.errors import NotFound
from kefu.org.roles import Role

from . import exports, selectors
from .models import WeeklyReport

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
