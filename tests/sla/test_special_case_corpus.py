"""Precision and recall of special-case detection on labelled customer messages.

tests/sla/corpus/special_cases.jsonl: the tuning corpus, one message a line,
``{"text", "expected": [categories]}`` (media / regulator / legal / safety; [] is innocent).
special_cases_blind1.jsonl was written after tuning on the corpus and measured before the rules
saw it (P 0.79, R 0.68), then used for tuning; special_cases_blind2.jsonl was written after
that and has NOT been tuned on (P 0.90, R 0.82). docs/benchmarks.md keeps the figures. Print
them with ``PYTHONPATH=src .venv/bin/python -m kefu.sla.special_cases --corpus FILE``.
Pure: the shipped rules file, no database.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kefu.sla.special_cases import CATEGORIES, Detector, evaluate_corpus, shipped_rules

CORPUS = Path(__file__).parent / "corpus"
ROWS = [
    json.loads(line)
    for line in (CORPUS / "special_cases.jsonl").read_text("utf-8").splitlines()
    if line
]
TRADITIONAL_ONLY = re.compile(r"[們這會說報記訴遞電燒煙閱訂單號開機網處應聯師擊]")
# The words a threat shares with innocent text: each must appear on both sides of the corpus.
SHARED_WORDS = ("曝光", "记者", "电视台", "报社", "12315", "律师", "起诉", "报警", "冒烟", "漏气")


def figures(name: str) -> dict:
    result = evaluate_corpus(CORPUS / name)
    print(name, json.dumps({k: result[k] for k in ("n", "precision", "recall", "confusion")}))
    print(name, "routing", json.dumps(result["routing"]))
    for m in result["mistakes"]:
        print(name, "MISMATCH", json.dumps(m, ensure_ascii=False))
    return result


def test_corpus_is_big_and_varied_enough():
    assert len(ROWS) >= 300
    assert len({r["text"] for r in ROWS}) == len(ROWS), "duplicate messages"
    innocent = [r for r in ROWS if not r["expected"]]
    assert 0.4 <= len(innocent) / len(ROWS) <= 0.6
    for category in CATEGORIES:
        assert sum(category in r["expected"] for r in ROWS) >= 30, category
    assert sum(bool(TRADITIONAL_ONLY.search(r["text"])) for r in ROWS) >= 30
    folded = Detector([]).fold
    for word in SHARED_WORDS:
        assert any(word in folded(r["text"]) for r in innocent), f"no innocent {word}"
        assert any(word in folded(r["text"]) for r in ROWS if r["expected"]), f"no threat {word}"


def test_precision_and_recall_on_the_tuning_corpus():
    result = figures("special_cases.jsonl")
    assert result["precision"] >= 0.98
    assert result["recall"] >= 0.98


def test_precision_and_recall_on_the_blind_batches():
    # Batch 1 has since been tuned on; batch 2 has not, and its threshold sits just under
    # what it measured when written, so a change that makes unseen text worse fails here.
    first = figures("special_cases_blind1.jsonl")
    assert first["precision"] >= 0.95 and first["recall"] >= 0.95
    second = figures("special_cases_blind2.jsonl")
    assert second["precision"] >= 0.85 and second["recall"] >= 0.8


@pytest.mark.parametrize("row", ROWS[::7], ids=lambda r: r["text"][:20])
def test_reported_words_are_the_customers_own_characters(row):
    for hit in Detector(shipped_rules()).find(row["text"]):
        assert row["text"][hit.start : hit.end] == hit.words
