"""The manager's dashboard at /desk/reports/: this week vs last for the reader's scope, then
every report family for the chosen period as an ECharts chart with its table beside it;
filters live in the URL, numbers link to the ticket list behind them."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.org.roles import LADDER
from kefu.org.selectors import can, stores_for
from kefu.quality.models import ServiceType
from kefu.tickets.models import Channel, Priority, TicketType
from kefu.web.ticket_page import staff_required

from . import exports, selectors, services
from .models import ExportStatus, WeeklyReport


def _report(request) -> selectors.Report:
    if not can(request.user, "analytics.view"):
        raise Http404
    return selectors.report_for(request.user, request.GET)


def _week(scope, start: datetime.date) -> dict:
    return selectors.week_numbers(scope, start)


def week_rows(this_week: dict, last_week: dict) -> list[tuple]:
    """(label, this week, last week, unit, trend) rows of the this-week-vs-last strip; trend is
    "up", "down" or "" (same, or a number missing)."""
    rows = []
    for key, label, unit in (
        ("opened", _("Opened"), ""),
        ("resolved", _("Resolved"), ""),
        ("reopened", _("Reopened"), ""),
        ("on_time_rate", _("First reply on time"), "%"),
        ("fcr_rate", _("First-contact resolution"), "%"),
        ("csat", _("Satisfaction (1–5)"), ""),
    ):
        now, before = this_week.get(key), last_week.get(key)
        trend = ""
        if now is not None and before is not None and now != before:
            trend = "up" if now > before else "down"
        rows.append((label, now, before, unit, trend, key))
    return rows


@staff_required
def dashboard(request):
    report = _report(request)
    today = timezone.localdate()
    monday = selectors.monday(today)
    this_week = _week(report.scope, monday)
    last_week = _week(report.scope, monday - datetime.timedelta(days=7))
    data = {
        "volume": selectors.volume(report),
        "first_response": selectors.first_response(report),
        "resolution": selectors.resolution(report),
        "sla": selectors.sla(report),
        "fcr": selectors.fcr(report),
        "backlog": selectors.backlog(report),
        "escalations": selectors.escalations(report),
        "csat": selectors.csat(report),
        "root_causes": selectors.root_causes(report),
        "aftersales": selectors.aftersales(report),
        "compensation": selectors.compensation(report),
        "breakdowns": selectors.breakdowns(report),
    }
    query = request.GET.copy()
    scope_q = {"store": report.scope.store.code} if report.scope.kind == "store" else {}
    # The queue behind every number: its filters in the URL (desk:queue?view=all&from=…).
    drill = QueryDict(mutable=True)
    drill.update({"view": "all", **report.period.as_json()})
    if report.scope.kind == "store":
        drill["store"] = report.scope.store.code
    elif report.scope.kind == "region":
        drill["region"] = report.scope.region.code
    for k, v in report.filters.as_json().items():
        drill[k] = v
    stores = stores_for(request.user)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "report": report,
            "data": data,
            "weeks": week_rows(this_week, last_week),
            "stores": stores,
            "regions": sorted({(s.region.code, s.region.name) for s in stores}),
            "types": TicketType.choices,
            "channels": Channel.choices,
            "priorities": Priority.choices,
            "ladder": [(t.value, t.label) for t in LADDER],
            "service_types": ServiceType.choices,
            "store_code": scope_q.get("store", ""),
            "query": query.urlencode(),
            "drill": drill.urlencode(),
            "can_export": can(request.user, "analytics.export"),
        },
    )


@staff_required
def export(request):
    """?report=summary|tickets&format=xlsx|csv with the dashboard's filters. An Excel ticket list
    longer than KEFU_EXPORT_INLINE_ROWS is built by the task consumer (Exports page)."""
    report = _report(request)
    if not can(request.user, "analytics.export"):
        # The desk answers 403 (kefu.errors.Forbidden is the API's; here it would be a 500).
        raise PermissionDenied(_("You may not export reports."))
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    if request.GET.get("report") == "tickets":
        job = services.export_report_later(request.user, report) if fmt == "xlsx" else None
        if job is not None:
            return redirect(f"{reverse('analytics:exports')}?new={job.pk}")
        rows = exports.ticket_rows(selectors.export_rows(report))
        respond = exports.csv_response if fmt == "csv" else exports.xlsx_response
        return respond(request.user, "tickets", exports.TICKET_HEADERS, rows)
    return exports.report_response(request.user, "summary", selectors.summary(report), fmt)


def _exporter(request):
    if not can(request.user, "analytics.export"):
        raise Http404
    return request.user


@staff_required
def export_jobs(request):
    """导出记录: the reader's exports built in the background, newest first; the page polls
    while one is still being built."""
    jobs = list(selectors.exports_of(_exporter(request)))
    return render(
        request,
        "analytics/exports.html",
        {
            "jobs": jobs,
            "new": request.GET.get("new", ""),
            "pending": any(j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for j in jobs),
            "keep_days": settings.KEFU_EXPORT_KEEP_DAYS,
        },
    )


@staff_required
def export_download(request, pk):
    job = selectors.export_of(_exporter(request), pk)  # staff_required: NotFound is a 404
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    return exports.export_file_response(request.user, job)


@staff_required
def weekly_list(request):
    """The reader's weekly reports, newest first."""
    if not can(request.user, "analytics.view"):
        raise Http404
    reports = WeeklyReport.objects.filter(manager=request.user).order_by("-week_start")[:104]
    return render(request, "analytics/weekly_list.html", {"reports": reports})


def _own_weekly(request, pk) -> WeeklyReport:
    if not can(request.user, "analytics.view"):
        raise Http404
    return get_object_or_404(WeeklyReport, pk=pk, manager=request.user)


@staff_required
def weekly_detail(request, pk):
    report = _own_weekly(request, pk)
    until = report.week_start + datetime.timedelta(days=6)
    data = report.data
    return render(
        request,
        "analytics/weekly_detail.html",
        {
            "report": report,
            "until": until,
            "summary": data.get("summary", {}),
            "weeks": week_rows(data.get("this_week", {}), data.get("last_week", {})),
            "query": f"from={report.week_start:%Y-%m-%d}&to={until:%Y-%m-%d}",
        },
    )


@staff_required
def weekly_workbook(request, pk):
    report = _own_weekly(request, pk)
    exports.audit.info(
        "export", extra={"user": request.user.get_username(), "report": "weekly", "rows": 0}
    )
    response = HttpResponse(services.workbook(report), content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{services.weekly_filename(report)}"'
    return response
