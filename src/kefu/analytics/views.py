"""The manager's dashboard at /desk/reports/: this week vs last for the reader's scope, then
every report family for the chosen period as an ECharts chart with its table beside it;
filters live in the URL, numbers link to the ticket list behind them."""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.org.roles import LADDER
from kefu.org.selectors import can, stores_for
from kefu.tickets.models import Channel, Priority, TicketType
from kefu.web.ticket_page import staff_required

from . import exports, selectors


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def _report(request) -> selectors.Report:
    if not can(request.user, "analytics.view"):
        raise Http404
    g = request.GET
    return selectors.Report(
        scope=selectors.scope_for(
            request.user, store=g.get("store") or None, region=g.get("region") or None
        ),
        period=selectors.make_period(_date(g.get("from")), _date(g.get("to"))),
        filters=selectors.Filters(
            type=g.get("type") or None,
            channel=g.get("channel") or None,
            priority=g.get("priority") or None,
        ),
    )


def _week(scope, start: datetime.date) -> dict:
    r = selectors.Report(scope, selectors.Period(start, start + datetime.timedelta(days=6)))
    counts = selectors.volume_counts(r)
    fr = selectors.first_response(r)
    return {
        **counts,
        "on_time_rate": fr["on_time_rate"],
        "fcr_rate": selectors.fcr(r)["rate"],
        "csat": selectors.csat(r)["average"],
    }


@staff_required
def dashboard(request):
    report = _report(request)
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
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
    }
    query = request.GET.copy()
    scope_q = {"store": report.scope.store.code} if report.scope.kind == "store" else {}
    stores = stores_for(request.user)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "report": report,
            "data": data,
            "weeks": [
                (_("Opened"), this_week["opened"], last_week["opened"], ""),
                (_("Resolved"), this_week["resolved"], last_week["resolved"], ""),
                (_("Reopened"), this_week["reopened"], last_week["reopened"], ""),
                (
                    _("First reply on time"),
                    this_week["on_time_rate"],
                    last_week["on_time_rate"],
                    "%",
                ),
                (_("First-contact resolution"), this_week["fcr_rate"], last_week["fcr_rate"], "%"),
                (_("Satisfaction (1–5)"), this_week["csat"], last_week["csat"], ""),
            ],
            "stores": stores,
            "regions": sorted({(s.region.code, s.region.name) for s in stores}),
            "types": TicketType.choices,
            "channels": Channel.choices,
            "priorities": Priority.choices,
            "ladder": [(t.value, t.label) for t in LADDER],
            "store_code": scope_q.get("store", ""),
            "query": query.urlencode(),
            "can_export": can(request.user, "analytics.export"),
        },
    )


@staff_required
def export(request):
    """?report=summary|tickets&format=xlsx|csv with the dashboard's filters."""
    report = _report(request)
    if not can(request.user, "analytics.export"):
        # The desk answers 403 (kefu.errors.Forbidden is the API's; here it would be a 500).
        raise PermissionDenied(_("You may not export reports."))
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    if request.GET.get("report") == "tickets":
        rows = exports.ticket_rows(selectors.export_rows(report))
        respond = exports.csv_response if fmt == "csv" else exports.xlsx_response
        return respond(request.user, "tickets", exports.TICKET_HEADERS, rows)
    return exports.report_response(request.user, "summary", selectors.summary(report), fmt)
