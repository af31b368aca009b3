"""Reports at /api/v1/reports/…: the summary and one endpoint per report family. Each takes
?from=YYYY-MM-DD&to=YYYY-MM-DD[&store=CODE|&region=NAME][&type=&channel=&priority=&agent=]
and &format=json (default), xlsx or csv. A store or region outside the reader's scope is a 404."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kefu.api.schema import ERRORS
from kefu.errors import Conflict, Forbidden
from kefu.org.selectors import can

from . import exports, selectors, services

router = Router()
API_PREFIX = "/reports"
API_TAGS = ["reports"]


class ReportQuery(Schema):
    since: date | None = Field(None, alias="from", description="first day (Asia/Shanghai)")
    until: date | None = Field(None, alias="to", description="last day, inclusive")
    store: str | None = Field(None, max_length=20, pattern=r"^[A-Za-z0-9_-]*$")
    region: str | None = Field(None, max_length=50)
    type: str | None = Field(None, max_length=20)
    channel: str | None = Field(None, max_length=10)
    priority: str | None = Field(None, max_length=10)
    agent: str | None = Field(None, max_length=150)
    format: Literal["json", "xlsx", "csv"] = "json"


# With &format=xlsx or csv the same endpoints answer a file: say so in the OpenAPI document.
FILE_ANSWERS = {
    "responses": {
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            }
        }
    }
}


def report_for(request, q: ReportQuery) -> selectors.Report:
    if not can(request.user, "analytics.view"):
        raise Forbidden(_("Reports are for managers."))
    if q.format != "json" and not can(request.user, "analytics.export"):
        raise Forbidden(_("You may not export reports."))
    return selectors.Report(
        scope=selectors.scope_for(request.user, store=q.store or None, region=q.region or None),
        period=selectors.make_period(q.since, q.until),
        filters=selectors.Filters(
            type=q.type or None,
            channel=q.channel or None,
            priority=q.priority or None,
            agent=q.agent or None,
        ),
    )


def _answer(request, q: ReportQuery, name: str, build):
    report = report_for(request, q)
    data = build(report)
    if q.format == "json":
        return data
    return exports.report_response(request.user, name, data, q.format)


FAMILIES = {
    "summary": selectors.summary,
    "volume": selectors.volume,
    "first-response": selectors.first_response,
    "resolution": selectors.resolution,
    "sla": selectors.sla,
    "fcr": selectors.fcr,
    "backlog": selectors.backlog,
    "escalations": selectors.escalations,
    "csat": selectors.csat,
    "aftersales": selectors.aftersales,
    "compensation": selectors.compensation,
    "breakdowns": selectors.breakdowns,
}


def _family(name, build):
    def handler(request, q: Query[ReportQuery]):
        return _answer(request, q, name, build)

    handler.__name__ = f"report_{name.replace('-', '_')}"
    handler.__doc__ = (build.__doc__ or name).strip().splitlines()[0]
    router.get(
        f"/{name}",
        response={200: dict, **ERRORS},
        summary=handler.__doc__,
        openapi_extra=FILE_ANSWERS,
    )(handler)


for _name, _build in FAMILIES.items():
    _family(_name, _build)


@router.get("/root-causes", response={200: list[dict], **ERRORS}, openapi_extra=FILE_ANSWERS)
def report_root_causes(request, q: Query[ReportQuery]):
    """Complaint root causes, most frequent first (Pareto)."""
    return _answer(request, q, "root-causes", lambda r: selectors.root_causes(r))


class ExportOut(Schema):
    id: int
    title: str
    status: Literal["queued", "running", "done", "failed"]
    rows: int | None
    error: str
    created_at: datetime
    finished_at: datetime | None
    url: str = Field(description="this export")
    download: str | None = Field(description="the workbook, once it is done")


def export_out(job) -> dict:
    url = f"/api/v1{API_PREFIX}/exports/{job.pk}"
    return {
        "id": job.pk,
        "title": job.title,
        "status": job.status,
        "rows": job.rows,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "url": url,
        "download": f"{url}/file" if job.status == "done" else None,
    }


@router.get("/tickets", response={200: dict, 202: ExportOut, **ERRORS}, openapi_extra=FILE_ANSWERS)
def report_tickets(
    request, response: HttpResponse, q: Query[ReportQuery], status: str | None = None
):
    """The tickets opened in the period as a workbook or CSV (format=xlsx|csv), streamed;
    mobiles masked. format=json answers only the count. A workbook of more than
    KEFU_EXPORT_INLINE_ROWS rows is built in the background: 202 with the export to poll
    (Location header), its file at `download` once done."""
    report = report_for(request, q)
    if q.format == "json":
        return {"count": report.opened().count(), "columns": exports.TICKET_HEADERS}
    if q.format == "xlsx":
        job = services.export_report_later(request.user, report, status=status)
        if job is not None:
            body = export_out(job)
            response["Location"] = body["url"]
            return Status(202, body)
    rows = exports.ticket_rows(selectors.export_rows(report, status=status))
    respond = exports.csv_response if q.format == "csv" else exports.xlsx_response
    return respond(request.user, "tickets", exports.TICKET_HEADERS, rows)


def _exporter(request):
    if not can(request.user, "analytics.export"):
        raise Forbidden(_("You may not export reports."))
    return request.user


@router.get("/exports", response={200: list[ExportOut], **ERRORS})
def list_exports(request):
    """Your exports built in the background, newest first (kept KEFU_EXPORT_KEEP_DAYS days)."""
    return [export_out(j) for j in selectors.exports_of(_exporter(request))]


@router.get("/exports/{int:export_id}", response={200: ExportOut, **ERRORS})
def get_export(request, export_id: int):
    """One of your exports: its status, and where to download it once done."""
    return export_out(selectors.export_of(_exporter(request), export_id))


@router.get(
    "/exports/{int:export_id}/file",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            200: {"content": {exports.XLSX: {"schema": {"type": "string", "format": "binary"}}}}
        }
    },
)
def export_file(request, export_id: int):
    """The workbook of one of your exports (409 while it is still being built)."""
    job = selectors.export_of(_exporter(request), export_id)
    if job.status != "done" or not job.file:
        raise Conflict(
            _("The file is not ready: %(status)s.") % {"status": job.get_status_display()}
        )
    return exports.export_file_response(request.user, job)
