"""Precision and recall of forbidden-phrase detection on the labelled corpus of agent replies.

tests/quality/corpus/replies.jsonl: one reply a line, ``{"text", "expected", "note"?}``;
``expected`` lists the codes that must fire. Scoring (kefu.quality.language.evaluate_corpus)
is per (reply, forbidden code). Print the figures with
``PYTHONPATH=src .venv/bin/python -m kefu.quality.language --corpus tests/quality/corpus/replies.jsonl``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kefu.quality.language import check, evaluate_corpus, load_packs

CORPUS = Path(__file__).parent / "corpus" / "replies.jsonl"
ROWS = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
TRADITIONAL_ONLY = re.compile(r"[們這個說會嗎為麼還沒對絕規關處時應該錯謝請]")


def test_corpus_is_big_and_varied_enough():
    assert len(ROWS) >= 300
    clean = [r for r in ROWS if not any(c.startswith("forbidden.") for c in r["expected"])]
    assert 0.5 <= len(clean) / len(ROWS) <= 0.62
    assert len({r["text"] for r in ROWS}) == len(ROWS), "duplicate replies"
    assert sum(bool(TRADITIONAL_ONLY.search(r["text"])) for r in ROWS) >= 25


def test_every_expected_code_exists_and_every_forbidden_rule_is_exercised():
    entries = load_packs()["forbidden"]["entries"]
    hint_pack = load_packs()["hints"]
    known = (
        {e["code"] for e in entries}
        | {"hint.over_promise"}
        | {v["code"] for v in hint_pack.values() if isinstance(v, dict) and "code" in v}
    )
    used = [c for r in ROWS for c in r["expected"]]
    assert set(used) <= known
    for code in (c for c in known if c.startswith("forbidden.")):
        assert used.count(code) >= 4, f"{code} has too few faulty examples"


def test_precision_and_recall_of_forbidden_phrases():
    result = evaluate_corpus(CORPUS)
    print(json.dumps({k: result[k] for k in ("precision", "recall", "n")}))
    for m in result["mistakes"]:
        print("MISMATCH", json.dumps(m, ensure_ascii=False))
    assert result["precision"] >= 0.98
    assert result["recall"] >= 0.95


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["text"][:24])
def test_spans_of_corpus_findings_point_into_the_reply(row):
    found = check(row["text"])
    for f in found:
        assert row["text"][f.start : f.end] == f.text
    # Hint codes listed in "expected" must fire too (they are outside precision/recall).
    hints = {c for c in row["expected"] if not c.startswith("forbidden.")}
    assert hints <= {f.code for f in found}
