"""Chinese names, phone numbers and masking. Pure Python."""

import re

# The common two-character surnames (复姓); every other name takes its first character.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门 "
    "申屠 太史 闻人 澹台 公冶 濮阳 淳于 单于 赫连 呼延 万俟 百里 东郭 羊舌".split()
)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")


def surname_of(name: str) -> str:
    name = name.strip()
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def honorific(name: str, gender: str | None) -> str:
    """张先生 / 张女士 when the gender is known, else the full name with 您好 (张伟您好)."""
    name = name.strip()
    if not name:
        return "您好"
    if gender == "male":
        return surname_of(name) + "先生"
    if gender == "female":
        return surname_of(name) + "女士"
    return name + "您好"


def greeting(name: str, gender: str | None) -> str:
    """The opening of a reply: 张先生您好 / 张伟您好."""
    h = honorific(name, gender)
    return h if h.endswith("您好") else h + "您好"


def normalise_mobile(raw: str) -> str | None:
    """A Chinese mobile number as 11 digits, or None when it is not one.

    Accepts spaces, dashes and the +86 / 0086 / 86 country prefix."""
    digits = _SEPARATORS.sub("", raw or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if _MOBILE.match(digits) else None


def mask_phone(phone: str | None) -> str:
    """139****5678 — what lists, exports and the portal show."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "****" + phone[-4:]


def mask_address(address: str | None) -> str:
    """Keep the district-level start of an address, hide the rest (上海市浦东新区****)."""
    if not address:
        return ""
    for marker in ("区", "县", "市"):
        index = address.find(marker)
        if 0 < index < len(address) - 1:
            return address[: index + 1] + "****"
    return address[: max(2, len(address) // 3)] + "****"


def mask_email(email: str | None) -> str:
    if not email or "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    return local[:1] + "***@" + domain


def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lowercase: 张伟 → ("zhangwei", "zw")."""
    from pypinyin import Style, lazy_pinyin

    full = "".join(lazy_pinyin(name))
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
    return full.lower(), initials.lower()
