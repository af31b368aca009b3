"""Excel and CSV export of N ticket rows in flat memory: the writers of kefu.analytics.exports
fed by a generator shaped like the ticket export (14 columns, Chinese text, masked mobiles).
Prints JSON: rows, seconds, peak RSS before and after, for 10k and N rows, so flatness shows.

    PYTHONPATH=src .venv/bin/python bench/report_export.py [--rows 100000]
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    out = [run_csv(10_000), run_csv(args.rows), run_xlsx(10_000), run_xlsx(args.rows)]
    json.dump({"python": sys.version.split()[0], "runs": out}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
