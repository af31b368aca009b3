"""pypinyin over the memory-mapped phrase trie (kefu.customers.pinyin) reads names and phrases
exactly as stock pypinyin does: customers are found by the pinyin stored on them, so a single
different reading would hide a customer from the search that found them before."""

import json
import subprocess
import sys

import pytest

from kefu.customers import pinyin
from kefu.customers.names import name_pinyin

STOCK = r"""
import json, sys
from pypinyin import Style, lazy_pinyin
texts = json.loads(sys.stdin.read())
print(json.dumps([["".join(lazy_pinyin(t)), "".join(lazy_pinyin(t, style=Style.FIRST_LETTER)),
                   lazy_pinyin(t, style=Style.TONE3)] for t in texts], ensure_ascii=False))
"""


def texts() -> list[str]:
    phrases = json.loads(pinyin._source().read_text(encoding="utf-8"))  # noqa: SLF001
    sample = list(phrases)[::9]
    surnames = ["张", "王", "曾", "单", "解", "仇", "区", "朴", "查", "盖", "乐", "欧阳", "尉迟"]
    given = ["伟", "重阳", "长乐", "行", "朝阳", "乐乐", "会计", "银行", "觉", "重庆"]
    return (
        sample
        # two phrases in a row, and a phrase inside a longer text: the segmenter's choices
        + [a + b for a, b in zip(sample[::2], sample[1::2], strict=False)][:3000]
        + [f"客户{p}的订单" for p in sample[::5]]
        + [s + g for s in surnames for g in given]
        + ["", "abc", "张伟 David", "〇", "冰箱不制冷，空调漏水。"]
    )


@pytest.fixture(scope="module")
def stock():
    # Stock pypinyin in its own process: this one's pypinyin is the compact one.
    lines = texts()
    out = subprocess.run(
        [sys.executable, "-c", STOCK],
        input=json.dumps(lines, ensure_ascii=False),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(zip(lines, json.loads(out), strict=True))


def test_readings_identical_to_stock_pypinyin(stock):
    module = pinyin.load()
    assert len(stock) > 8_000
    differing = []
    for text, expected in stock.items():
        ours = [
            "".join(module.lazy_pinyin(text)),
            "".join(module.lazy_pinyin(text, style=module.Style.FIRST_LETTER)),
            module.lazy_pinyin(text, style=module.Style.TONE3),
        ]
        if ours != expected:
            differing.append((text, expected, ours))
    assert not differing[:5], f"{len(differing)} of {len(stock)} differ"


def test_the_phrases_come_from_the_trie():
    from pypinyin import converter
    from pypinyin.seg import mmseg

    pinyin.load()
    assert type(converter.PHRASES_DICT).__name__ == "Phrases"
    # The characters' readings too: pypinyin's own dict (~7 MB per process) is never read.
    assert type(converter.PINYIN_DICT).__name__ == "Characters"
    assert converter.PINYIN_DICT[ord("重")] == "zhòng,chóng,tóng"
    assert ord("a") not in converter.PINYIN_DICT
    assert type(mmseg.seg._prefix_set).__name__ == "Trie"  # noqa: SLF001
    assert "重庆" in converter.PHRASES_DICT and "重" in mmseg.seg._prefix_set  # noqa: SLF001
    assert name_pinyin("曾国藩") == ("cengguofan", "cgf")


def test_every_characters_readings_as_in_pypinyin():
    from pypinyin import converter

    pinyin.load()
    stock = json.loads(pinyin._source("pinyin_dict.json").read_text(encoding="utf-8"))  # noqa: SLF001
    assert len(stock) > 40_000
    differing = [c for c, v in stock.items() if converter.PINYIN_DICT.get(int(c)) != v]
    assert not differing
    assert len(converter.PINYIN_DICT) == len(stock)
