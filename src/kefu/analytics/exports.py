"""Streamed exports of the reports and of the ticket list: CSV written row by row into the
response, Excel written by XlsxWriter in constant_memory mode (each row is flushed to a temp
file as it is written) and then streamed from that file. Neither holds the rows in memory.
Headers are Chinese, mobiles are masked, and every export is audited in the log (who, which
report, how many rows; never the rows themselves)."""

import csv
import datetime
import logging
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from kefu.customers.names import mask_phone

from .selectors import EXPORT_COLUMNS, export_values

audit = logging.getLogger("kefu.audit.export")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else value


def _filename(name: str, ext: str) -> str:
    return f"kefu-{name}-{timezone.localdate():%Y%m%d}.{ext}"


def _counted(rows, counter: list):
    for row in rows:
        counter[0] += 1
        yield row


def csv_response(user, name: str, headers, rows) -> StreamingHttpResponse:
    """Stream ``rows`` (an iterator of tuples) as UTF-8 CSV with a BOM (Excel opens it right)."""
    writer = csv.writer(_Echo())
    counter = [0]

    def lines():
        yield "\ufeff" + writer.writerow(headers)
        for row in _counted(rows, counter):
            yield writer.writerow([_cell(v) for v in row])
        audit.info(
            "export", extra={"user": user.get_username(), "report": name, "rows": counter[0]}
        )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, "csv")}"'
    return response


# Rows of an Excel worksheet, its header included: a longer list goes on into 报表 (2), (3) …
SHEET_ROWS = 1_048_576


def write_xlsx(target, headers, rows, *, sheet: str = "报表") -> int:
    """Write a workbook to ``target`` (a path or a binary file) in constant memory; the number
    of rows written. Rows beyond one worksheet's limit continue on the next sheet (XlsxWriter
    would drop them silently)."""
    import xlsxwriter  # here: ~9 MB in every process if imported with the URLs (issue 14)

    book = xlsxwriter.Workbook(
        target, {"constant_memory": True, "tmpdir": tempfile.gettempdir(), "in_memory": False}
    )
    bold = book.add_format({"bold": True})
    n = 0
    ws, line = None, SHEET_ROWS
    for row in rows:
        n += 1
        if line == SHEET_ROWS:
            sheets = len(book.worksheets())
            ws = book.add_worksheet(f"{sheet} ({sheets + 1})" if sheets else sheet)
            ws.write_row(0, 0, headers, bold)
            line = 1
        ws.write_row(line, 0, [_cell(v) for v in row])
        line += 1
    if ws is None:  # no rows: the header alone
        book.add_worksheet(sheet).write_row(0, 0, headers, bold)
    book.close()
    return n


def xlsx_response(user, name: str, headers, rows) -> FileResponse:
    """The workbook built in a temp file (constant memory), then streamed from it."""
    spool = tempfile.TemporaryFile()
    n = write_xlsx(spool, headers, rows)
    spool.seek(0)
    audit.info("export", extra={"user": user.get_username(), "report": name, "rows": n})
    return FileResponse(
        spool, as_attachment=True, filename=_filename(name, "xlsx"), content_type=XLSX
    )


def ticket_rows(rows):
    """Export rows of tickets with the mobile masked (column from EXPORT_COLUMNS)."""
    phone = [c for c, _label in EXPORT_COLUMNS].index("customer__phone")
    for row in rows:
        row = list(row)
        row[phone] = mask_phone(row[phone])
        yield row


TICKET_HEADERS = [label for _c, label in EXPORT_COLUMNS]


def flatten(data, prefix: str = ""):
    """A report's JSON as (指标, 值) rows: nested keys joined with '.', lists by their code."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from flatten(
                v, f"{prefix}{k}." if not isinstance(v, (dict, list)) else f"{prefix}{k}."
            )
    elif isinstance(data, list):
        for i, item in enumerate(data):
            key = (
                item.get("code") or item.get("day") or item.get("target") or item.get("cause") or i
            )
            if isinstance(item, dict):
                label = item.get("label", "")
                for k, v in item.items():
                    if k not in ("code", "label", "day", "target", "cause"):
                        yield (f"{prefix}{key}.{k}", label, v)
            else:
                yield (f"{prefix}{i}", "", item)
    else:
        yield (prefix.rstrip("."), "", data)


REPORT_HEADERS = ["指标", "名称", "数值"]


def report_response(user, name: str, data: dict, fmt: str):
    rows = flatten(data)
    if fmt == "csv":
        return csv_response(user, name, REPORT_HEADERS, rows)
    return xlsx_response(user, name, REPORT_HEADERS, rows)


def list_rows(tickets):
    """A ticket queryset as export rows: oldest first, mobiles masked, read in chunks."""
    return ticket_rows(export_values(tickets))


def ticket_list_response(user, tickets, fmt: str):
    """Any filtered ticket list (the desk queue with &format=csv|xlsx) as an export: the same
    columns, masked mobiles and audit as the report's ticket list, rows read in chunks."""
    from django.utils.translation import gettext as _

    from kefu.errors import Forbidden
    from kefu.org.selectors import can

    if not can(user, "analytics.export"):
        raise Forbidden(_("You may not export reports."))
    respond = csv_response if fmt == "csv" else xlsx_response
    return respond(user, "tickets", TICKET_HEADERS, list_rows(tickets))


def export_file_response(user, job) -> FileResponse:
    """A built export's workbook, for its requester (the callers check that), audited."""
    audit.info(
        "export download",
        extra={"user": user.get_username(), "report": job.source, "rows": job.rows},
    )
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"kefu-tickets-{timezone.localtime(job.created_at):%Y%m%d}-{job.pk}.xlsx",
        content_type=XLSX,
    )
