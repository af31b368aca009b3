"""Benchmark: precision and recall of the service-language checker on a blind batch.

The batch (``bench/data/language_blind_*.jsonl``) was written and labelled by hand before the
checker was run on it: each row is a sentence an agent might send and whether it offends
(a forbidden phrase or an over-promise: a finding of severity block or warn). Hints (你→您,
commands without 请) do not count. Prints one JSON object; ``--mistakes`` lists the misses.

    .venv/bin/python bench/language_blind.py [--batch bench/data/language_blind_2026-12.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from kefu.quality.language import check  # noqa: E402

DEFAULT = ROOT / "bench" / "data" / "language_blind_2026-12.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", default=str(DEFAULT))
    parser.add_argument("--mistakes", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in Path(args.batch).read_text("utf-8").splitlines() if line]
    tp = fp = fn = tn = 0
    mistakes = []
    for row in rows:
        found = [f for f in check(row["text"]) if f.severity in ("block", "warn")]
        flagged = bool(found)
        if flagged and row["offending"]:
            tp += 1
        elif flagged:
            fp += 1
            mistakes.append({"false_alarm": row["text"], "codes": [f.code for f in found]})
        elif row["offending"]:
            fn += 1
            mistakes.append({"missed": row["text"]})
        else:
            tn += 1
    result = {
        "batch": Path(args.batch).name,
        "sentences": len(rows),
        "offending": tp + fn,
        "innocent": fp + tn,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
    }
    if args.mistakes:
        result["mistakes"] = mistakes
    print(json.dumps(result, ensure_ascii=False, indent=1 if args.mistakes else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
