"""Brush-offs, insults and over-promises the seeds' spirit forbids (issue 12), generalised:
synonyms and inserted words are caught, innocent look-alikes are spared."""

import pytest

from kefu.quality.language import check


def _codes(text: str) -> set[str]:
    return {f.code for f in check(text) if f.severity in ("block", "warn")}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("你怎么这么笨", "forbidden.ma_gu_ke"),
        ("您是不是有点傻，插头都没插", "forbidden.ma_gu_ke"),
        ("爱买不买", "forbidden.ai_mai_bu_mai"),
        ("爱修不修，过保了", "forbidden.ai_mai_bu_mai"),
        ("有意见找经理去", "forbidden.zhao_jing_li"),
        ("有意见您就找店长去", "forbidden.zhao_jing_li"),
        ("你问我，我问谁", "forbidden.wo_wen_shui"),
        ("问我也没用", "forbidden.wo_wen_shui"),
        ("刚才不是跟你说过了吗", "forbidden.shuo_guo_le"),
        ("我都说了好几遍了", "forbidden.shuo_guo_le"),
        ("我们下班了，明天再说", "forbidden.xia_ban_zai_shuo"),
        ("这事回头再说。", "forbidden.xia_ban_zai_shuo"),
        ("没办法", "forbidden.mei_ban_fa"),
        ("那也没办法。", "forbidden.mei_ban_fa"),
        ("不知道", "forbidden.bu_zhi_dao_dan_shuo"),
        ("不清楚啊。", "forbidden.bu_zhi_dao_dan_shuo"),
        ("我保证明天一定给您修好，绝对没问题", "hint.over_promise"),
        ("百分之百没问题，明天一定到。", "hint.over_promise"),
    ],
)
def test_brush_offs_insults_and_over_promises_are_caught(text, code):
    assert code in _codes(text)


def test_the_over_promise_is_a_warning_that_asks_for_room():
    (finding,) = [f for f in check("我保证明天一定给您修好") if f.code == "hint.over_promise"]
    assert finding.severity == "warn" and "留有余地" in finding.explanation


@pytest.mark.parametrize(
    "text",
    [
        "没办法现场修好的话，我们会为您安排返厂维修，并提供备用机。",
        "这个问题我不太清楚，我马上请技术同事核实，十分钟内回电给您。",
        "不知道您明天上午是否方便师傅上门？",
        "我们今天已经下班了，已记下您的问题，明天上午十点前回电给您。",
        "我不能保证明天一定修好，但会优先为您安排。",
        "我们会尽最大努力明天为您修好，如有变化第一时间通知您。",
        "我怎么这么笨，刚才把您的地址输错了，非常抱歉。",
        "不是您笨，是说明书写得不清楚。",
        "这款洗衣机的爱心模式很适合洗婴儿衣物。",
        "明天再说明一下安装注意事项。",
        "如果您对处理结果有意见，可以拨打投诉热线，店长会亲自处理。",
        "刚才跟您说的方案，您考虑得怎么样了？",
        "好的，没问题，我这就帮您登记。",
    ],
)
def test_innocent_look_alikes_are_spared(text):
    assert not _codes(text), check(text)
