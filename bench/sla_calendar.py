"""Benchmark business-time arithmetic on the seeded `backoffice` calendar; prints JSON.

.venv/bin/python bench/sla_calendar.py [--seconds 1.0]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from kefu.sla import calendar as cal_mod  # noqa: E402


def rate(fn, starts, seconds):
    """Calls per second of fn(start), cycling through starts for about `seconds`."""
    calls, begin = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - begin) < seconds:
        for s in starts:
            fn(s)
        calls += len(starts)
    return round(calls / elapsed)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args()

    backoffice = cal_mod.load_seeded()["backoffice"]
    sh = ZoneInfo("Asia/Shanghai")
    rng = random.Random(5)
    # Random instants through 2026 (holidays, 调休 days, nights, lunch breaks).
    starts = [
        datetime(2026, 1, 1, tzinfo=sh) + timedelta(seconds=rng.randrange(365 * 86400))
        for _ in range(1000)
    ]

    cold_begin = time.perf_counter()
    cal_mod.add_business_time(starts[0], timedelta(hours=2000), backoffice)  # builds 2026, 2027
    cold_ms = (time.perf_counter() - cold_begin) * 1000

    results = {}
    for hours in (24, 200, 2000):
        d = timedelta(hours=hours)
        results[f"add_business_time_{hours}h_per_s"] = rate(
            lambda s, d=d: cal_mod.add_business_time(s, d, backoffice), starts, args.seconds
        )
    end = datetime(2026, 12, 31, tzinfo=sh)
    results["business_time_between_per_s"] = rate(
        lambda s: cal_mod.business_time_between(s, end, backoffice), starts, args.seconds
    )
    results["is_open_per_s"] = rate(lambda s: cal_mod.is_open(s, backoffice), starts, args.seconds)
    print(
        json.dumps(
            {
                "bench": "sla.calendar",
                "calendar": "backoffice",
                "python": platform.python_version(),
                "cold_first_call_ms": round(cold_ms, 2),
                **results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
