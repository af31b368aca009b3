"""The compact dictionary (kefu.search.dictionary) segments exactly as stock jieba does.

Kefu indexes what `cut_for_search` returns and queries with what `cut` returns: a single token
of difference would make a stored ticket unfindable. So both are compared, token for token and
before any normalising, with jieba's own Tokenizer over its own dictionary, on every line with a
Chinese character in Kefu's rule data, translations and docs, and on edge cases."""

import glob
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jieba
import pytest

from kefu import search
from kefu.search import dictionary

ROOT = Path(__file__).resolve().parents[2]

EDGE_CASES = [
    "",
    " ",
    "\r\n\t",
    "冰箱不制冷",
    "客厅空调一直滴水，师傅上门看过还是漏",
    "手机充不进电 iPhone15 Pro Max 256GB",
    "KF-20261204-0000123 的工单",
    "订单号：SH001-2026/12/04，金额￥1,299.00元",
    "王小二在北京清华大学读书，他说：“这台海尔冰箱BCD-470不制冷！”",
    "南京市长江大桥",
    "结婚的和尚未结婚的",
    "乒乓球拍卖完了",
    "我们中出了一个叛徒",
    "工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作",
    "上海浦东新区张江高科技园区碧波路690号",
    "😀表情符号和emoji混排，还有日本語のテキスト",
    "一二三四五六七八九十百千万亿" * 5,
    "阿斯顿发生的发生地方哈哈哈哈哈噢噢噢",  # long unknown run: the HMM
    "a+b#c&d._%e-f",
    "中" * 300,  # longer than any dictionary word, in one block
]


def corpus() -> list[str]:
    lines = []
    for pattern in ("src/kefu/**/*.json", "src/kefu/**/*.po", "docs/*.md"):
        for name in sorted(glob.glob(str(ROOT / pattern), recursive=True)):
            text = Path(name).read_text(encoding="utf-8")
            lines += [line for line in text.splitlines() if re.search(r"[\u4e00-\u9fff]", line)]
    return lines


@pytest.fixture(scope="module")
def stock():
    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@pytest.fixture(scope="module")
def compact(tmp_path_factory):
    return dictionary.load(tmp_path_factory.mktemp("segmenter"))


def test_the_corpus_is_large_enough():
    assert len(corpus()) > 2000


@pytest.mark.parametrize("mode", ["cut_for_search", "cut"])
def test_identical_to_stock_jieba_over_the_corpus(stock, compact, mode):
    lines = corpus() + EDGE_CASES
    differing = [
        (line, theirs, ours)
        for line in lines
        if (theirs := list(getattr(stock, mode)(line)))
        != (ours := list(getattr(compact, mode)(line)))
    ]
    assert not differing[:5], f"{len(differing)} of {len(lines)} lines differ"


def test_every_mode_and_the_dag_match_on_edge_cases(stock, compact):
    for line in EDGE_CASES:
        assert list(compact.cut(line, HMM=False)) == list(stock.cut(line, HMM=False))
        assert list(compact.cut(line, cut_all=True)) == list(stock.cut(line, cut_all=True))
        assert compact.get_DAG(line) == stock.get_DAG(line)
        for word in ("冰箱", "冰", "冰箱不", "清华大学", "清华大", "zzz"):
            assert compact.FREQ.get(word) == stock.FREQ.get(word)
            assert (word in compact.FREQ) == (word in stock.FREQ)


def test_kefu_search_uses_it(stock):
    # The index and query forms Kefu stores, from the tokenizer Kefu loads (under KEFU_VAR).
    text = "客厅空调一直滴水，师傅上门看过还是漏 iPhone"
    expected = []
    for token in stock.cut_for_search(text):
        token = token.strip().lower()
        if token and re.search(r"\w", token) and token not in expected:
            expected.append(token)
    assert search.segment(text) == " ".join(expected)
    assert search.query_tokens("空调漏水") == [t for t in stock.cut("空调漏水")]


def test_the_mapped_emission_probabilities_are_jiebas(compact, tmp_path_factory):
    # Every code point jieba's HMM may be asked about (and the ones around), in every state:
    # the same double, or the caller's default where jieba's dict has no entry.
    from jieba.finalseg.prob_emit import P as stock_emission

    directory = dictionary._ensure_built(tmp_path_factory.mktemp("emission"))
    meta = json.loads((directory / "meta.json").read_text())
    values = dictionary._map(directory / "emission.f64", "d")
    base, rows = meta["emission_base"], meta["emission_rows"]
    for column, state in enumerate(dictionary.STATES):
        mapped = dictionary._Emission(values, column, base, rows)
        for code in range(base - 50, base + rows + 50):
            char = chr(code)
            assert mapped.get(char, "absent") == stock_emission[state].get(char, "absent")
        assert mapped.get("冰箱", "absent") == "absent"


def test_a_fresh_process_segments_with_the_mapped_emission_as_stock_jieba_does(stock, tmp_path):
    # In a process that has not imported jieba, loading the tokenizer puts the mapped
    # probabilities in jieba's place; its HMM must then cut unknown runs as stock jieba does.
    lines = EDGE_CASES + corpus()[::5]
    probe = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from kefu.search import dictionary\n"
        "tokenizer = dictionary.load(Path(sys.argv[1]))\n"
        "from jieba import finalseg\n"
        "lines = json.loads(sys.stdin.read())\n"
        "print(json.dumps({'emission': type(finalseg.emit_P['B']).__name__,\n"
        "                  'cut': [list(tokenizer.cut(line)) for line in lines],\n"
        "                  'search': [list(tokenizer.cut_for_search(line)) for line in lines]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)],
        input=json.dumps(lines),
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    seen = json.loads(out)
    assert seen["emission"] == "_Emission"
    assert seen["cut"] == [list(stock.cut(line)) for line in lines]
    assert seen["search"] == [list(stock.cut_for_search(line)) for line in lines]
