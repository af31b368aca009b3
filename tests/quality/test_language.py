"""Behaviour of the service-language checker (kefu.quality.language).

The forbidden phrases are the seeds' 服务禁语 as restated in DOMAIN.md ("Service language").
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.quality import language
from kefu.quality.language import Checker, Context, Finding, check, load_packs

CORPUS = Path(__file__).parent / "corpus" / "replies.jsonl"
SRC = Path(language.__file__).resolve().parents[2]
# Subprocesses find the package even without an editable install.
SUB_ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
}


def codes(text: str, context: Context | None = None) -> set[str]:
    return {f.code for f in check(text, context)}


def forbidden(text: str) -> set[str]:
    return {f.code for f in check(text) if f.code.startswith("forbidden.")}


# Every forbidden phrase DOMAIN.md lists, with the code that must report it.
DOMAIN_PHRASES = [
    ("你好像不明白", "forbidden.bu_ming_bai"),
    ("你肯定弄混了", "forbidden.nong_hun"),
    ("你应该先打电话预约", "forbidden.ni_ying_gai"),
    ("我们不会给您换", "forbidden.women_bu_hui"),
    ("我们从没卖过这种机器", "forbidden.women_cong_mei"),
    ("我们不可能给您退", "forbidden.women_bu_keneng"),
    ("你弄错了", "forbidden.nong_cuo"),
    ("以前从来没有人抱怨过这些", "forbidden.mei_ren_bao_yuan"),
    ("这是我们公司的规定", "forbidden.gongsi_guiding"),
    ("我不知道", "forbidden.wo_bu_zhi_dao"),
    ("这不关我的事", "forbidden.bu_guan_wo_shi"),
    ("我们可不负责", "forbidden.bu_fu_ze"),
    ("我们一直都是这样做的", "forbidden.yizhi_zheyang"),
    ("这是你的事，你自己做决定", "forbidden.ni_zi_ji_jue_ding"),
    ("绝对不会", "forbidden.juedui_bu_hui"),
    ("绝对不可能", "forbidden.juedui_bu_keneng"),
    ("啊？什么？", "forbidden.a_shenme"),
]


def to_traditional(text: str) -> str:
    """Simplified → traditional with the inverse of the pack's own character map."""
    t2s = load_packs()["charmap"]["t2s"]
    s2t: dict[str, str] = {}
    for trad, simp in t2s.items():
        s2t.setdefault(simp, trad)
    return "".join(s2t.get(c, c) for c in text)


# --- the API later code relies on ---------------------------------------------------------


def test_finding_shape_and_span_map_back_to_the_original_text():
    text = "王女士您好，您 好 像 不 明 白，我再说一遍。"
    [finding] = [f for f in check(text) if f.severity == "block"]
    assert finding.code == "forbidden.bu_ming_bai"
    assert finding.span == (finding.start, finding.end)
    assert text[finding.start : finding.end] == finding.text == "您 好 像 不 明 白"
    assert finding.explanation and finding.suggestion
    assert finding.to_dict() == {
        "code": "forbidden.bu_ming_bai",
        "severity": "block",
        "span": [finding.start, finding.end],
        "text": finding.text,
        "explanation": finding.explanation,
        "suggestion": finding.suggestion,
    }
    with pytest.raises(FrozenInstanceError):
        finding.code = "x"  # type: ignore[misc]


def test_findings_are_sorted_by_start():
    text = "你好，我不知道，这不关我的事，你弄错了。OK？"
    found = check(text)
    assert [f.start for f in found] == sorted(f.start for f in found)
    assert len(found) >= 5


def test_empty_reply_has_no_findings():
    assert check("") == []


def test_module_does_not_import_django():
    src = Path(language.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+django", src, re.M)
    code = "import sys, kefu.quality.language as l; l.check('我不知道'); print('django' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=SUB_ENV
    ).stdout
    assert out.strip() == "False"


# --- forbidden phrases and their variants -------------------------------------------------


@pytest.mark.parametrize("phrase,code", DOMAIN_PHRASES)
def test_every_domain_phrase_is_blocked(phrase, code):
    found = [f for f in check(phrase) if f.code == code]
    assert found, phrase
    assert found[0].severity == "block"


@pytest.mark.parametrize("phrase,code", DOMAIN_PHRASES)
def test_every_domain_phrase_is_found_in_traditional_characters(phrase, code):
    trad = to_traditional(phrase)
    assert code in forbidden(trad), trad


@pytest.mark.parametrize("phrase,code", DOMAIN_PHRASES)
def test_every_domain_phrase_is_found_inside_a_longer_polite_reply(phrase, code):
    text = f"张先生您好，感谢您的耐心。{phrase}。祝您生活愉快！"
    assert code in forbidden(text)


@pytest.mark.parametrize(
    "text,code",
    [
        ("您好像不明白", "forbidden.bu_ming_bai"),  # 您 for 你
        ("妳好像不明白", "forbidden.bu_ming_bai"),  # 妳 (traditional feminine you)
        ("你好像有点不明白", "forbidden.bu_ming_bai"),
        ("你可能弄错了", "forbidden.nong_cuo"),
        ("您是不是把两张订单弄混了？", "forbidden.nong_hun"),
        ("我真的不知道", "forbidden.wo_bu_zhi_dao"),
        ("我们是不可能全额退款的", "forbidden.women_bu_keneng"),
        ("我 不 知 道", "forbidden.wo_bu_zhi_dao"),  # spaces inside
        ("我不……知道", "forbidden.wo_bu_zhi_dao"),  # ellipsis inside
        ("这是你的事,你自己做决定.", "forbidden.ni_zi_ji_jue_ding"),  # half-width punctuation
        ("啊?什么?", "forbidden.a_shenme"),
        ("啊？ 什么？您再说一遍。", "forbidden.a_shenme"),
        ("我们　不会　给您换。", "forbidden.women_bu_hui"),  # ideographic spaces
        ("這是我們公司的規定。", "forbidden.gongsi_guiding"),
        ("售出商品概不负责。", "forbidden.bu_fu_ze"),
        ("你本来就应该提前预约的。", "forbidden.ni_ying_gai"),
    ],
)
def test_variants(text, code):
    assert code in forbidden(text)


def test_suggested_rewrite_for_blame():
    [f] = [f for f in check("你弄错了。") if f.code == "forbidden.nong_cuo"]
    assert f.suggestion.startswith("对不起，我没有讲清楚")


# --- innocent look-alikes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # 不知道…是否/方不方便 with the customer as subject is a polite question.
        "我不知道您是否方便明天上午在家？",
        "我不知道您這邊是否還保留著發票。",
        # 您应该 + a fact or inference (已经/会/能/是) is not a command.
        "您应该已经收到短信了，短信里有师傅的电话。",
        "您应该会在今天晚上八点前收到快递。",
        "我来告诉您应该怎么操作：先按住电源键五秒。",
        # 你 is an object here, and the comma is a clause break: not "你应该".
        "谢谢你，应该明天就能到了。",
        # Promises in the customer's favour.
        "我们不会让您白跑一趟，师傅出发前会先打电话。",
        "这次上门检测我们不会收取任何费用。",
        "您的个人信息我们不会泄露给任何第三方。",
        "我们从不额外收费，请您放心。",
        # Quoting the customer, or quoting the taboo to apologise for it.
        "您说“你们根本不负责”，我非常理解您的心情。",
        "您反映店员讲了「这是我们公司的规定」，这种说法不妥，我代表门店向您道歉。",
        '您说的"我不知道"是指哪位同事说的呢？',
        # Reassurance and apology, not blame.
        "不是您弄错了，是我们系统显示的地址有误。",
        "以免您误会，我再说明一下。",
        "让您误会了，实在抱歉，是我刚才没有讲清楚。",
        "如果您有不明白的地方，请随时联系我。",
        "这不是您的错，是我们的疏忽。",
        # Citing the law to give the customer something, not hiding behind company rules.
        "根据国家三包规定，您购买七天内出现性能故障可以退货。",
        "按照公司规定，这种情况我们可以为您免费上门检测。",
        # Look-alike words.
        "好的啊，什么时候方便我们安排师傅过去？",
        "这是您的事项确认单，请您核对。",
        "这是您的事情，也是我们的事情，我们一起把它处理好。",
        "这款迷你冰箱BC-50适合放在卧室。",
        "我们会尽快处理，不会耽误您使用。",
        "我们一直在跟进您的订单。",
        "这件事我们负责到底。",
        "我真不知道该怎么感谢您的理解。",
        "这件事我们不会就这样算了，一定给您一个交代。",
        "这是规定的保修期，整机一年。",
        "是您的事就是我们的事。",
        "不关您的事，是我们的问题。",
    ],
)
def test_innocent_text_has_no_forbidden_finding(text):
    assert forbidden(text) == set(), [f.to_dict() for f in check(text)]


def test_apology_promise_is_a_warning_not_a_block():
    """“绝对不会再发生” is well meant but over-promises: warn, do not block."""
    found = check("给您添麻烦了，这种情况我们保证绝对不会再发生。")
    assert not any(f.severity == "block" for f in found)
    [f] = [f for f in found if f.code == "hint.over_promise"]
    assert f.severity == "warn" and f.text == "绝对不会" and f.suggestion


def test_absolute_denial_is_still_blocked():
    assert "forbidden.juedui_bu_hui" in forbidden("这个价格绝对不会再降了。")


def test_quoted_phrase_is_ignored_but_the_agent_s_own_words_are_not():
    text = "您说“太慢了”，这不关我的事。"
    assert forbidden(text) == {"forbidden.bu_guan_wo_shi"}


# --- hints ----------------------------------------------------------------------------------


def test_ni_to_nin_hint_suggests_nin_but_not_inside_words():
    found = [f for f in check("你好，请问有什么可以帮你？") if f.code == "hint.ni_to_nin"]
    assert [f.span for f in found] == [(0, 1), (11, 12)]
    assert all(f.suggestion == "您" and f.severity == "hint" for f in found)
    assert "hint.ni_to_nin" not in codes("这款迷你冰箱很受欢迎。")


def test_no_ni_to_nin_hint_inside_a_forbidden_span():
    """The forbidden finding already covers it; one mark per problem is enough."""
    assert codes("你弄错了。") == {"forbidden.nong_cuo"}


@pytest.mark.parametrize(
    "text,hint",
    [
        ("把发票拍照发过来。", "把"),
        ("您好，发一下订单号。", "发一下"),
        ("带上发票和保修卡到门店来。", "带上"),
        ("提供一下您的手机号。", "提供一下您的"),
    ],
)
def test_command_without_qing_is_hinted(text, hint):
    [f] = [f for f in check(text) if f.code == "hint.no_qing"]
    assert f.text == hint
    assert f.suggestion.startswith("请您")


@pytest.mark.parametrize(
    "text",
    [
        "请您把发票拍照发给我。",
        "麻烦您把购买凭证发到我们的邮箱。",
        "把发票拍照发给我们可以吗？",
        "我们会尽快处理，把结果告诉您。",  # the agent's own action, mid-sentence
        "发货时间是明天上午。",
        "等师傅上门后再检测。",
    ],
)
def test_polite_requests_and_statements_are_not_commands(text):
    assert "hint.no_qing" not in codes(text)


def test_keneng_hint_but_not_for_as_far_as_possible():
    [f] = [f for f in check("可能明天到吧。") if f.code == "hint.keneng"]
    assert f.text == "可能" and "是" in f.suggestion
    assert "hint.keneng" not in codes("我们会尽可能今天给您答复。")
    assert "hint.keneng" not in codes("如果可能的话，请您保留包装。")


def test_weishenme_hint_only_when_questioning_the_customer():
    [f] = [f for f in check("您为什么不早点说呢？") if f.code == "hint.weishenme"]
    assert "是什么" in f.suggestion
    assert "hint.weishenme" not in codes("我们正在查快递为什么还没到。")


def test_english_words_mixed_into_chinese():
    found = {f.text: f for f in check("OK，sorry，这个bug我们马上修。")}
    assert found["OK"].code == "hint.english" and found["OK"].suggestion == "好的"
    assert found["sorry"].suggestion.startswith("对不起")
    assert found["bug"].suggestion.startswith("故障")


def test_full_width_english_is_found_with_its_original_span():
    text = "好的ＯＫ，马上处理。"
    [f] = [f for f in check(text) if f.code == "hint.english"]
    assert f.text == "ＯＫ" and text[f.start : f.end] == "ＯＫ"


def test_model_codes_numbers_units_and_common_abbreviations_are_fine():
    text = (
        "您的KFR-35GW/BpN1空调已预约，单号SF1234567890，电压220V，"
        "支持WiFi和APP控制，邮件已发到service@kefu.cn。"
    )
    assert not {"hint.english", "hint.jargon"} & codes(text)


def test_english_only_reply_is_not_flagged_as_mixed():
    assert "hint.english" not in codes("Thank you for your patience.")


def test_jargon_acronyms_and_internal_words():
    found = {f.text: f for f in check("请把SN码发我，RMA已经走流程，明天派单。")}
    assert found["SN"].code == "hint.jargon" and "序列号" in found["SN"].suggestion
    assert found["RMA"].code == "hint.jargon"
    assert found["走流程"].code == "hint.jargon"
    assert found["派单"].suggestion == "为您安排师傅"


def test_complaint_reply_without_the_customer_s_name_gets_a_hint():
    ctx = Context(customer_surname="张", honorific="张先生", is_complaint=True)
    [f] = [
        f
        for f in check("您好，给您带来不便非常抱歉，我们马上处理。", ctx)
        if f.code == "hint.no_name"
    ]
    assert f.span == (0, 0) and f.text == ""
    assert "张先生" in f.suggestion


def test_complaint_reply_using_the_name_is_fine():
    ctx = Context(customer_surname="张", honorific="张先生", is_complaint=True)
    assert "hint.no_name" not in codes("张先生您好，非常抱歉。", ctx)
    surname_only = Context(customer_surname="王", is_complaint=True)
    assert "hint.no_name" not in codes("王女士，给您添麻烦了。", surname_only)


def test_surname_inside_another_word_does_not_count_as_using_the_name():
    ctx = Context(customer_surname="张", is_complaint=True)
    [f] = [f for f in check("您好，请提供一张发票。", ctx) if f.code == "hint.no_name"]
    assert f.suggestion.startswith("张先生/张女士")


def test_no_name_hint_outside_complaints_or_without_a_known_name():
    assert "hint.no_name" not in codes("您好。", Context(honorific="张先生"))
    assert "hint.no_name" not in codes("您好。", Context(is_complaint=True))


def test_blaming_words_are_a_warning():
    [f] = [f for f in check("这是你自己摔坏的。") if f.code == "hint.blame"]
    assert f.severity == "warn"


# --- packs as data, admin overrides -------------------------------------------------------


def test_pack_suggestions_pass_the_checker():
    """Our own rewrites must not be forbidden (the issue asks all shipped text to pass)."""
    for entry in load_packs()["forbidden"]["entries"]:
        for text in filter(None, [entry.get("suggestion")]):
            assert forbidden(text) == set(), (entry["code"], text)
            blocking = [f for f in check(text) if f.severity != "hint"]
            assert blocking == [], (entry["code"], [f.to_dict() for f in blocking])


def test_every_pack_entry_is_complete():
    for entry in load_packs()["forbidden"]["entries"]:
        assert entry["code"].startswith(("forbidden.", "hint."))
        assert entry["severity"] in ("block", "warn", "hint")
        assert entry["explanation"] and entry["suggestion"] and entry["phrase"]


def test_charmap_maps_straight_to_simplified():
    t2s = load_packs()["charmap"]["t2s"]
    chained = {k: v for k, v in t2s.items() if v in t2s}
    assert chained == {}


def test_override_can_switch_a_rule_off():
    ctx = Context(overrides=[{"code": "forbidden.wo_bu_zhi_dao", "enabled": False}])
    assert "forbidden.wo_bu_zhi_dao" not in codes("我不知道。", ctx)
    assert "forbidden.wo_bu_zhi_dao" in codes("我不知道。")  # the default is untouched


def test_override_can_downgrade_a_rule_to_a_warning():
    ctx = Context(overrides=[{"code": "forbidden.a_shenme", "severity": "warn"}])
    [f] = check("啊？什么？", ctx)
    assert f.severity == "warn"


def test_override_can_add_a_phrase_with_variants():
    row = {
        "code": "forbidden.custom.mei_ban_fa",
        "phrase": "没办法",
        "variants": ["实在*没办法", "我也没办法"],
        "severity": "block",
        "explanation": "“没办法”让顾客觉得被拒绝。",
        "suggestion": "我们可以为您这样处理：……",
        "enabled": True,
    }
    found = check("這個我實在是沒辦法。", Context(overrides=[row]))
    assert [f.code for f in found] == ["forbidden.custom.mei_ban_fa"]


def test_extra_packs_add_entries():
    pack = {
        "entries": [{"code": "forbidden.custom.x", "phrase": "找别人去", "explanation": "推诿"}]
    }
    assert "forbidden.custom.x" in codes("你找别人去。", Context(extra_packs=[pack]))


def test_checkers_are_compiled_once_per_override_set():
    rows = [{"code": "forbidden.a_shenme", "enabled": False}]
    assert language.checker_for(rows) is language.checker_for(list(rows))
    assert language.checker_for(None) is language.default_checker()


@pytest.mark.parametrize(
    "row,message",
    [
        ({"code": "forbidden.x", "phrase": "甲", "severity": "fatal"}, "severity"),
        ({"code": "forbidden.x", "phrase": "甲", "variants": ["*乙"]}, "文字开头"),
        ({"code": "forbidden.x", "phrase": "甲", "variants": ["甲*(乙"]}, "合法"),
        ({"code": "forbidden.x"}, "phrase"),
        ({"phrase": "甲"}, "code"),
    ],
)
def test_bad_override_is_refused_with_a_clear_message(row, message):
    with pytest.raises(ValueError, match=message):
        Checker(load_packs([row]))


# --- robustness ---------------------------------------------------------------------------


_reply_text = st.lists(
    st.sampled_from(
        list('你您我们不会知道应该弄错了规定事啊什么？！，。、 　“”「」"…ＯＫok啊請們這')
        + ["绝对不可能", "我不知道", "您是否方便", "SN", "KFR-35GW", "可能", "为什么"]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_reply_text)
def test_spans_always_point_into_the_original_text(text):
    found = check(text, Context(customer_surname="张", is_complaint=True))
    assert [f.start for f in found] == sorted(f.start for f in found)
    for f in found:
        assert 0 <= f.start <= f.end <= len(text)
        assert text[f.start : f.end] == f.text
        assert f.severity in ("block", "warn", "hint")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_is_checked_without_error(text):
    for f in check(text):
        assert text[f.start : f.end] == f.text


def test_cli_prints_corpus_figures():
    out = subprocess.run(
        [sys.executable, "-m", "kefu.quality.language", "--corpus", str(CORPUS)],
        capture_output=True,
        text=True,
        check=True,
        env=SUB_ENV,
    ).stdout
    figures = json.loads(out)
    assert set(figures) == {"precision", "recall", "n"}
    assert figures["n"] >= 300


def test_cli_checks_one_reply():
    out = subprocess.run(
        [sys.executable, "-m", "kefu.quality.language", "我不知道"],
        capture_output=True,
        text=True,
        check=True,
        env=SUB_ENV,
    ).stdout
    assert json.loads(out)[0]["code"] == "forbidden.wo_bu_zhi_dao"


def test_finding_is_hashable_value_object():
    a = Finding("c", "hint", 0, 1, "你", "e", None)
    assert a == Finding("c", "hint", 0, 1, "你", "e", None) and hash(a)
