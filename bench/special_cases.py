"""Benchmark: special-case detection (kefu.sla.special_cases) in messages per second, one core.

Messages are the labelled corpus (about half threats or hazards, half innocent text that shares
their words), as written: most are one or two sentences. The shipped rules
(``kefu/sla/data/special_cases.v1.json``) are compiled outside the timed part. The process is
pinned to one CPU where the OS allows it; the headline rate counts CPU seconds of this process,
the wall-clock rate is printed beside it. A second figure uses 200-character messages made by
joining corpus messages (a long first message). Prints one JSON object.

    PYTHONPATH=src .venv/bin/python bench/special_cases.py [--seconds 2] [--rounds 5]
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

from kefu.sla.special_cases import Detector, shipped_rules  # noqa: E402

CORPUS = ROOT / "tests" / "sla" / "corpus" / "special_cases.jsonl"


def corpus_texts() -> list[str]:
    return [json.loads(line)["text"] for line in CORPUS.read_text("utf-8").splitlines() if line]


def long_messages(texts: list[str], count: int, length: int = 200, seed: int = 16) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(map(len, parts)) < length:
            parts.append(rng.choice(texts) + "。")
        out.append("".join(parts)[:length])
    return out


def measure(detector, messages, seconds: float, rounds: int) -> tuple[float, float]:
    """Median messages per CPU second and per wall-clock second over ``rounds`` rounds."""
    cpu_rates, wall_rates = [], []
    for _ in range(rounds):
        done, wall0, cpu0 = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - wall0 < seconds:
            for text in messages:
                detector.find(text)
            done += len(messages)
        cpu_rates.append(done / (time.process_time() - cpu0))
        wall_rates.append(done / (time.perf_counter() - wall0))
    return statistics.median(cpu_rates), statistics.median(wall_rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    detector = Detector(shipped_rules())
    texts = corpus_texts()
    hits = sum(len(detector.find(t)) for t in texts)  # warm-up
    cpu_rate, wall_rate = measure(detector, texts, args.seconds, args.rounds)
    longer = long_messages(texts, 300)
    long_rate, _ = measure(detector, longer, args.seconds, args.rounds)
    print(
        json.dumps(
            {
                "benchmark": "kefu.sla.special_cases.Detector.find",
                "messages": len(texts),
                "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
                "hits_per_message": round(hits / len(texts), 2),
                "rules": len(detector.rules),
                "rounds": args.rounds,
                "messages_per_second": round(cpu_rate),
                "microseconds_per_message": round(1e6 / cpu_rate, 1),
                "wall_clock_messages_per_second": round(wall_rate),
                "chars200_messages_per_second": round(long_rate),
                "cores": 1,
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
