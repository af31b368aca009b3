"""Excel and CSV export of N ticket rows in flat memory: the writers of kefu.analytics.exports
fed by a generator shaped like the ticket export (14 columns, Chinese text, masked mobiles).
Prints JSON: rows, seconds, peak RSS before and after, for 10k and N rows, so flatness shows.

    PYTHONPATH=src .venv/bin/python bench/report_export.py [--rows 100000]

With --database-url (a database filled by `kefu seed-bench`), the desk's own export instead:
the whole chain's Excel ticket list of --days days (ending today) asked for by `cs_manager`,
how long the request takes to answer, then how long the task consumer's build of the file
takes (run here, in process) and how many rows it holds:

    PYTHONPATH=src .venv/bin/python bench/report_export.py --database-url postgres://…/kefu_1m \
        --days 30
"""

import argparse
import csv
import datetime
import io
import json
import os
import resource
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
if "--database-url" in sys.argv:  # before Django reads its settings
    os.environ["DATABASE_URL"] = sys.argv[sys.argv.index("--database-url") + 1]
os.environ.setdefault("KEFU_VAR", tempfile.mkdtemp(prefix="kefu-bench-"))

import django  # noqa: E402

django.setup()

from kefu.analytics import exports  # noqa: E402
from kefu.customers.names import mask_phone  # noqa: E402


def rows(n):
    start = datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC)
    for i in range(n):
        t = start + datetime.timedelta(minutes=i)
        yield (
            f"KF-20260101-{i:06d}",
            t,
            "SH001",
            "fault_report",
            "phone",
            "normal",
            "resolved",
            "store_staff",
            "张伟",
            mask_phone(f"139{i:08d}"),
            "冰箱冷藏室不制冷，请尽快上门检修",
            t + datetime.timedelta(hours=1),
            t + datetime.timedelta(hours=20),
            "agent01",
        )


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_xlsx(n):
    before = peak_mb()
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as f:
        written = exports.write_xlsx(f, exports.TICKET_HEADERS, rows(n))
        size = f.seek(0, io.SEEK_END)
    return {
        "format": "xlsx",
        "rows": written,
        "seconds": round(time.perf_counter() - t0, 2),
        "bytes": size,
        "peak_rss_mb_before": before,
        "peak_rss_mb_after": peak_mb(),
    }


def run_csv(n):
    before = peak_mb()
    t0 = time.perf_counter()
    writer = csv.writer(exports._Echo())
    size = 0
    for row in rows(n):
        size += len(writer.writerow([exports._cell(v) for v in row]).encode())
    return {
        "format": "csv",
        "rows": n,
        "seconds": round(time.perf_counter() - t0, 2),
        "bytes": size,
        "peak_rss_mb_before": before,
        "peak_rss_mb_after": peak_mb(),
    }


def run_desk(days: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from kefu.analytics import services
    from kefu.analytics.models import ExportJob

    client = Client()
    client.force_login(get_user_model().objects.get(username="cs_manager"))
    until = timezone.localdate()
    since = until - datetime.timedelta(days=days - 1)
    url = f"/desk/reports/export/?report=tickets&format=xlsx&from={since}&to={until}"
    t0 = time.perf_counter()
    response = client.get(url)
    answered = time.perf_counter() - t0
    out = {"url": url, "status": response.status_code, "answer_seconds": round(answered, 3)}
    if response.status_code == 302:  # queued: build it as the consumer would, then clean up
        job = ExportJob.objects.latest("id")
        t0 = time.perf_counter()
        out["build"] = services.build_export(job.pk)
        out["build_seconds"] = round(time.perf_counter() - t0, 2)
        job.refresh_from_db()
        out["rows"] = job.rows
        job.file.delete(save=False)
        job.delete()
    else:
        out["bytes"] = sum(len(chunk) for chunk in response.streaming_content)
        out["answer_seconds_with_body"] = round(time.perf_counter() - t0, 3)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    if args.database_url:
        json.dump(run_desk(args.days), sys.stdout, indent=2)
        print()
        return
    out = [run_csv(10_000), run_csv(args.rows), run_xlsx(10_000), run_xlsx(args.rows)]
    json.dump({"python": sys.version.split()[0], "runs": out}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
