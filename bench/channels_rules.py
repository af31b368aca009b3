"""Benchmark the outbound rules core (pure): a timeline event → its template, the channel for the
customer, quiet hours and the rendered text. Prints one JSON object.

    .venv/bin/python bench/channels_rules.py [--events 20000] [--rounds 5]

The mix imitates a day's timeline: most events reach no customer (notes, SLA, deliveries); the
rest are replies, new tickets, timetables, visits and resolutions, for customers with different
channels on file, at all hours.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from kefu.channels import rules  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
KINDS = [
    (30, ("note", False, {})),
    (15, ("sla_warning", False, {})),
    (10, ("delivery", False, {})),
    (15, ("reply", True, {})),
    (10, ("created", False, {})),
    (5, ("solution_timetable", True, {})),
    (5, ("visit_scheduled", False, {})),
    (5, ("status", False, {"status": "resolved"})),
    (5, ("status", False, {"status": "open"})),
]
CONTACTS = [
    rules.Contact(sms="13912345678"),
    rules.Contact(sms="13912345678", email="a@example.cn"),
    rules.Contact(wechat="oOPENID", sms="13912345678"),
    rules.Contact(email="a@example.cn", consent_contact=False),
    rules.Contact(sms="13912345678", opted_out=frozenset({"sms"})),
]
PARAMS = {
    "number": "KF-20260506-000001",
    "subject": "冰箱不制冷",
    "link": "https://kefu.example.cn/t/x/",
    "text": "您好，已为您安排师傅上门。",
    "when": "2026-05-08 18:00",
    "date": "2026-05-07",
    "window": "09:00–12:00",
    "technician": "李师傅",
}


def workload(n: int, seed: int = 7):
    rnd = random.Random(seed)
    weights = [w for w, _ in KINDS]
    start = dt.datetime(2026, 5, 6, tzinfo=SH)
    return [
        (
            rnd.choices(KINDS, weights)[0][1],
            rnd.choice(CONTACTS),
            start + dt.timedelta(minutes=rnd.randrange(1440)),
        )
        for _ in range(n)
    ]


def run(events) -> int:
    sent = 0
    for (kind, public, data), contact, when in events:
        rule = rules.template_for(kind, public, data)
        if rule is None:
            continue
        channel = rules.choose_channel(contact, rule)
        if channel is None:
            continue
        rules.quiet_until(channel, when)
        rules.render(rule["template"], channel, PARAMS)
        sent += 1
    return sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    events = workload(args.events)
    run(events[:100])  # load the data files
    times = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        sent = run(events)
        times.append(time.perf_counter() - t0)
    best = min(times)
    print(
        json.dumps(
            {
                "benchmark": "channels_rules",
                "events": args.events,
                "messages": sent,
                "events_per_second": round(args.events / best),
                "median_seconds": round(statistics.median(times), 4),
                "best_seconds": round(best, 4),
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
