"""Chinese names, forms of address, phone numbers and masking. Pure Python.

Forms of address follow seed 000: always 您, and 姓 + 先生/女士 when the gender is known. The
surname must be one we know to be a surname (``data/surnames.v1.json``: the 百家姓 and beyond,
single and compound). Where it cannot be known, the customer is greeted by the full name with
您好, never with a wrong surname:

- a transliterated name with a middle dot (阿依古丽·买买提): the given name comes first and
  there is no family name to take;
- a Han name whose first character is not a surname (小明, 阿强) or a lone given name;
- a one-word Latin name (David). A Latin name of two or more words takes the word written in
  capitals (WANG Wei, as on a passport) or else the last word (David Wang → Wang先生).
An agent can correct the form on the customer (``Customer.address_as``); that wins everywhere.
"""

import functools
import json
import re
from pathlib import Path

_SURNAMES_PATH = Path(__file__).with_name("data") / "surnames.v1.json"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")
_MIDDLE_DOTS = re.compile(r"[·•・‧∙⋅．.]")
_LATIN = re.compile(r"[A-Za-z]")
_HAN_ONLY = re.compile(r"^[\u3400-\u9fff]+$")
# A form of address longer than this reads as a sentence; the bare 您好 is kinder.
_LONGEST_ADDRESS = 12


@functools.lru_cache(maxsize=1)
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads(_SURNAMES_PATH.read_text(encoding="utf-8"))
    return frozenset(data["single"]), frozenset(data["compound"])


def __getattr__(name: str):
    # COMPOUND_SURNAMES was a constant here; it now comes from the data file.
    if name == "COMPOUND_SURNAMES":
        return _surnames()[1]
    raise AttributeError(name)


def surname_of(name: str) -> str | None:
    """The customer's surname, or None when it cannot be known (see the module docstring)."""
    name = (name or "").strip()
    if not name or _MIDDLE_DOTS.search(name):
        return None
    if _LATIN.search(name):
        words = name.split()
        if len(words) < 2 or not all(w.isalpha() for w in words):
            return None
        capitals = [w for w in words if len(w) > 1 and w.isupper()]
        word = capitals[0] if len(capitals) == 1 else words[-1]
        return word.capitalize()
    han = "".join(name.split())
    if not _HAN_ONLY.match(han):
        return None
    single, compound = _surnames()
    if len(han) >= 3 and han[:2] in compound:
        return han[:2]
    if han[0] in single:
        return han[0]
    return None


def honorific(name: str, gender: str | None) -> str:
    """张先生 / 张女士 when the gender and the surname are known, else the full name with 您好
    (张伟您好, 阿依古丽·买买提您好), or 您好 alone when there is no usable name (none, one
    character that is not a surname, or too long to say)."""
    name = " ".join((name or "").split())
    if not name:
        return "您好"
    surname = surname_of(name) if gender in ("male", "female") else None
    if surname:
        return surname + ("先生" if gender == "male" else "女士")
    if len(name) > _LONGEST_ADDRESS or len(name) == 1:
        return "您好"
    return name + "您好"


def address_label(name: str, gender: str | None, address_as: str = "") -> str:
    """The form of address as a label beside the name in lists and headers: the agent's form,
    or 张先生 / 张女士; "" when neither is known (the name alone is shown, never "刘伟您好",
    which is a greeting, not a form of address)."""
    own = address_as.strip().removesuffix("您好").strip()
    if own:
        return own
    form = honorific(name, gender)
    return "" if form.endswith("您好") else form


def greeting(name: str, gender: str | None, address_as: str = "") -> str:
    """The opening of a reply: 张先生您好 / 张伟您好; an agent's correction wins."""
    h = address_as.strip() or honorific(name, gender)
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


@functools.lru_cache(maxsize=4096)  # a returning customer's name, converted once
def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lowercase: 张伟 → ("zhangwei", "zw")."""
    pypinyin = _pypinyin()
    full = "".join(pypinyin.lazy_pinyin(name))
    initials = "".join(pypinyin.lazy_pinyin(name, style=pypinyin.Style.FIRST_LETTER))
    return full.lower(), initials.lower()


def _pypinyin():
    """pypinyin, its phrase dictionary memory-mapped (kefu.customers.pinyin)."""
    from kefu.customers import pinyin

    return pinyin.load()


def warm_up() -> None:
    """Load pypinyin now (in gunicorn's master, shared by the workers) rather than on the
    first ticket of each worker."""
    _pypinyin()
