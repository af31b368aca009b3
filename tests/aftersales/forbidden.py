"""服务禁语 as DOMAIN.md lists them: no 三包 script may contain one (the engine tests share this list)."""

FORBIDDEN = (
    "你好像不明白",
    "你肯定弄混了",
    "你应该",
    "我们不会",
    "我们从没",
    "我们不可能",
    "你弄错了",
    "以前从来没有人抱怨过",
    "这是我们公司的规定",
    "我不知道",
    "这不关我的事",
    "我们可不负责",
    "我们一直都是这样做的",
    "这是你的事",
    "绝对不会",
    "绝对不可能",
)
