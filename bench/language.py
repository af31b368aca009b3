"""Benchmark: service-language checks per second on 200-character replies, one core.

Replies are built from the labelled corpus (clean and faulty in its proportions, so about
half carry forbidden phrases — busier than real traffic), joined and cut to 200 characters.
The process is pinned to one CPU where the OS allows it. The headline rate counts CPU
seconds of this process (what one dedicated core delivers), because wall-clock time on a
shared machine also counts other people's work; the wall-clock rate is printed beside it.
A second figure uses only clean replies, closer to real traffic. Prints one JSON object.

    .venv/bin/python bench/language.py [--seconds 2] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from kefu.quality.language import Context, default_checker  # noqa: E402

CORPUS = ROOT / "tests" / "quality" / "corpus" / "replies.jsonl"
GOAL = 5000


def build_replies(
    count: int, length: int = 200, seed: int = 6, clean_only: bool = False
) -> list[str]:
    """``count`` replies of exactly ``length`` characters made of corpus replies."""
    rows = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines() if line]
    texts = [
        r["text"]
        for r in rows
        if not (clean_only and any(c.startswith("forbidden.") for c in r["expected"]))
    ]
    rng = random.Random(seed)
    replies = []
    for _ in range(count):
        parts: list[str] = []
        while sum(map(len, parts)) < length:
            parts.append(rng.choice(texts))
        replies.append("".join(parts)[:length])
    return replies


def measure(checker, replies, ctx, seconds: float, rounds: int) -> tuple[float, float]:
    """Median checks per CPU second and per wall-clock second over ``rounds`` rounds."""
    cpu_rates, wall_rates = [], []
    for _ in range(rounds):
        done, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - wall0 < seconds:
            for reply in replies:
                checker.check(reply, ctx)
            done += len(replies)
        cpu_rates.append(done / (time.process_time() - cpu0))
        wall_rates.append(done / (time.perf_counter() - wall0))
    return statistics.median(cpu_rates), statistics.median(wall_rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--replies", type=int, default=500)
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    checker = default_checker()  # compile the packs outside the timed part
    replies = build_replies(args.replies)
    ctx = Context(customer_surname="张", honorific="张先生", is_complaint=True)
    findings = sum(len(checker.check(r, ctx)) for r in replies)  # warm-up

    cpu_rate, wall_rate = measure(checker, replies, ctx, args.seconds, args.rounds)
    clean = build_replies(args.replies, clean_only=True)
    clean_cpu_rate, _ = measure(checker, clean, ctx, args.seconds, args.rounds)

    print(
        json.dumps(
            {
                "benchmark": "kefu.quality.language.check",
                "reply_chars": 200,
                "replies": len(replies),
                "findings_per_reply": round(findings / len(replies), 2),
                "rounds": args.rounds,
                "checks_per_second": round(cpu_rate),
                "microseconds_per_check": round(1e6 / cpu_rate, 1),
                "wall_clock_checks_per_second": round(wall_rate),
                "clean_replies_checks_per_second": round(clean_cpu_rate),
                "goal_checks_per_second": GOAL,
                "meets_goal": cpu_rate >= GOAL,
                "cores": 1,
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
