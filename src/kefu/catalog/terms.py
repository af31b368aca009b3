"""三包 category terms (品类三包参数) as data, and the company-policy overlay.

Pure Python, no Django. The statutory terms (国家三包规定, the floor) live in
``data/<category>.json``; a company policy (公司政策) may be more generous, never less:
:func:`apply_company_policy` refuses any term below the floor with a :class:`TermsError`.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from importlib import resources
from typing import Any

CATEGORIES = (
    "refrigerator",
    "washing_machine",
    "air_conditioner",
    "tv",
    "mobile_phone",
    "computer",
    "other",
)
# The remedies the engine can name, in the order they are always listed.
REMEDIES = (
    "return",
    "exchange",
    "repair",
    "paid_repair",
    "compensation",
    "trade_in",
    "refer_to_seller",
)
CHANNELS = ("store", "online", "phone")
# What proof of purchase can unlock when there is no invoice (无发票).
NO_INVOICE_REMEDIES = ("return", "exchange", "repair")


class TermsError(ValueError):
    """A term is malformed, unknown, or below the statutory floor (低于国家三包规定)."""

    def __init__(self, field: str, message_zh: str, message_en: str):
        super().__init__(f"{field}: {message_zh}")
        self.field = field
        self.message_zh = message_zh
        self.message_en = message_en


def add_months(day: date, months: int) -> date:
    """Same day-of-month ``months`` later, clamped to the month's end (1月31日 + 1个月 = 2月末)."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    dom = day.day
    if dom > 28:  # only the 29th–31st can overflow; skip the month-length lookup otherwise
        dom = min(dom, calendar.monthrange(year, month0 + 1)[1])
    return date(year, month0 + 1, dom)


@dataclass(frozen=True, slots=True)
class Accessory:
    """A component with its own period (配件三包有效期), e.g. a phone battery: 6 months."""

    months: int
    name_zh: str


@dataclass(frozen=True, slots=True)
class NoInvoiceRule:
    """What still applies without a valid invoice (无有效发票).

    ``production_offset_months``/``_days``: the period starts that long after the production
    date (手机: 出厂日期后第90日; seed 002 company: 生产日期加六个月). ``None`` months means the
    production date starts nothing (1995 rule: no invoice and no card → no free 三包).
    ``remedies``: what stays available when some proof of date exists (a 三包凭证, or the
    production-date rule): usually repair only; PCs also exchange.
    """

    production_offset_months: int | None
    production_offset_days: int
    remedies: tuple[str, ...]

    def start_from(self, production_date: date | None) -> date | None:
        """The period's start computed from the production date, or None."""
        if production_date is None or self.production_offset_months is None:
            return None
        return add_months(production_date, self.production_offset_months) + timedelta(
            days=self.production_offset_days
        )

    def offset_zh(self) -> str:
        """The offset in words: ``6个月``, ``90日``, ``6个月零10日``."""
        months = self.production_offset_months or 0
        days = self.production_offset_days
        if months and days:
            return f"{months}个月零{days}日"
        return f"{months}个月" if months else f"{days}日"


@dataclass(frozen=True, slots=True)
class CategoryTerms:
    """One category's 三包 terms. Every number here is data, read from JSON, never code."""

    category: str
    name_zh: str
    policy: str  # "statutory" (国家规定) or "company" (公司政策)
    catalog_covered: bool  # in the national 三包 catalogue; otherwise 消法 Art. 24 applies
    durable_goods: bool  # 耐用商品: 消法 Art. 23 burden of proof for 6 months
    return_days: int  # 退货期 (R-7D; R-CRPL24 counts from receipt)
    exchange_days: int  # 换货期 (R-15D)
    warranty_months: int  # 整机三包有效期
    main_part_months: int  # 主要部件三包有效期
    main_parts: tuple[str, ...]
    accessories: dict[str, Accessory]
    depreciation_daily_rate: Decimal  # 日折旧率 (R-DEP)
    parts_missing_exchange_days: int  # R-PARTS: 90 days, phones 60
    repairer_delay_exchange_days: int  # R-REPAIRER-30
    repaired_works_days: int  # a repaired product must then work this long
    parts_supply_years: int  # R-PARTS-5Y
    distance_return_days: int  # R-CRPL25 无理由退货
    distance_refund_days: int
    distance_channels: tuple[str, ...]
    defect_burden_months: int  # R-CRPL23
    paid_repair_on_exclusion: bool  # R-EXCL: the rule says "may"; the company decides
    no_invoice: NoInvoiceRule
    to_confirm: dict[str, str]  # field → why the number still needs confirming
    sources: tuple[str, ...]


# Chinese labels used in refusal messages (shown to the admin who edits a company term).
TERM_LABELS_ZH = {
    "name_zh": "品类名称",
    "durable_goods": "耐用商品",
    "return_days": "退货期（日）",
    "exchange_days": "换货期（日）",
    "warranty_months": "整机三包有效期（月）",
    "main_part_months": "主要部件三包有效期（月）",
    "main_parts": "主要部件",
    "accessories": "配件三包有效期",
    "depreciation_daily_rate": "日折旧率",
    "parts_missing_exchange_days": "缺件换货期限（日）",
    "repairer_delay_exchange_days": "修理者延误换货期限（日）",
    "repaired_works_days": "修复后正常使用期（日）",
    "parts_supply_years": "停产后备件供应期（年）",
    "distance_return_days": "无理由退货期（日）",
    "distance_refund_days": "无理由退货退款期限（日）",
    "distance_channels": "适用无理由退货的销售渠道",
    "defect_burden_months": "经营者举证期（月）",
    "paid_repair_on_exclusion": "非三包情形提供收费修理",
    "no_invoice": "无发票规则",
}

# How each term compares with the statutory floor. A company may move a term only in the
# customer's favour; terms that are legal facts (catalogue membership) cannot be changed.
_AT_LEAST = (
    "return_days",
    "exchange_days",
    "warranty_months",
    "main_part_months",
    "repaired_works_days",
    "parts_supply_years",
    "distance_return_days",
    "defect_burden_months",
)
_AT_MOST = (
    "depreciation_daily_rate",
    "parts_missing_exchange_days",
    "repairer_delay_exchange_days",
    "distance_refund_days",
)
_NEVER_OFF = ("durable_goods", "paid_repair_on_exclusion")
_SUPERSET = ("main_parts", "distance_channels")
_FIXED = ("category", "policy", "catalog_covered", "to_confirm", "sources")


def _refuse(name: str, new: Any, old: Any) -> TermsError:
    label = TERM_LABELS_ZH.get(name, name)
    return TermsError(
        name,
        f"公司政策的“{label}”（{new}）低于国家三包规定（{old}），不能保存；公司政策只能比国家规定更优惠",
        f"company term {name} = {new} is less generous than the statutory floor {old}",
    )


def _bad(name: str, zh: str, en: str) -> TermsError:
    return TermsError(name, zh, en)


def _int(raw: dict, name: str, *, minimum: int = 0) -> int:
    value = raw.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise _bad(
            name, f"“{name}”应为不小于{minimum}的整数", f"{name} must be an integer >= {minimum}"
        )
    return value


def _bool(raw: dict, name: str) -> bool:
    value = raw.get(name)
    if not isinstance(value, bool):
        raise _bad(name, f"“{name}”应为 true 或 false", f"{name} must be a boolean")
    return value


def _str_list(raw: dict, name: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    value = raw.get(name)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _bad(name, f"“{name}”应为字符串列表", f"{name} must be a list of strings")
    if allowed is not None:
        for v in value:
            if v not in allowed:
                raise _bad(name, f"“{name}”含有无效取值“{v}”", f"{name} has an unknown value {v!r}")
    return tuple(value)


def _rate(raw: dict, name: str) -> Decimal:
    value = raw.get(name)
    try:
        rate = Decimal(value) if isinstance(value, str | int | Decimal) else None
    except InvalidOperation:
        rate = None
    if isinstance(value, bool) or rate is None or not rate.is_finite() or not 0 <= rate < 1:
        raise _bad(
            name,
            f'“{name}”应为0到1之间的小数字符串，如"0.0005"',
            f"{name} must be a decimal string in [0, 1)",
        )
    return rate


def _no_invoice(raw: Any) -> NoInvoiceRule:
    if not isinstance(raw, dict) or set(raw) - {
        "production_offset_months",
        "production_offset_days",
        "remedies",
    }:
        raise _bad(
            "no_invoice", "“no_invoice”格式不正确", "no_invoice must be an object with known keys"
        )
    months = raw.get("production_offset_months")
    if months is not None:
        months = _int(raw, "production_offset_months")
    days = _int(raw, "production_offset_days")
    remedies = _str_list(raw, "remedies", NO_INVOICE_REMEDIES)
    return NoInvoiceRule(months, days, remedies)


def _accessories(raw: Any) -> dict[str, Accessory]:
    if not isinstance(raw, dict):
        raise _bad("accessories", "“accessories”应为对象", "accessories must be an object")
    out = {}
    for key, item in raw.items():
        if not isinstance(item, dict) or not isinstance(item.get("name_zh"), str):
            raise _bad("accessories", f"配件“{key}”格式不正确", f"accessory {key!r} is malformed")
        out[key] = Accessory(_int(item, "months", minimum=1), item["name_zh"])
    return out


def terms_from_dict(raw: dict, *, policy: str = "statutory") -> CategoryTerms:
    """Build and validate :class:`CategoryTerms` from a JSON-shaped dict (raises TermsError)."""
    known = {f.name for f in fields(CategoryTerms)} - {"policy"}
    unknown = set(raw) - known
    if unknown:
        name = sorted(unknown)[0]
        raise _bad(name, f"未知的三包参数“{name}”", f"unknown term {name!r}")
    missing = known - set(raw)
    if missing:
        name = sorted(missing)[0]
        raise _bad(name, f"缺少三包参数“{name}”", f"missing term {name!r}")
    if raw["category"] not in CATEGORIES:
        raise _bad(
            "category", f"未知品类“{raw['category']}”", f"unknown category {raw['category']!r}"
        )
    to_confirm = raw["to_confirm"]
    if not isinstance(to_confirm, dict) or not set(to_confirm) <= known:
        raise _bad(
            "to_confirm",
            "“to_confirm”应为{参数名: 说明}",
            "to_confirm must map term names to notes",
        )
    terms = CategoryTerms(
        category=raw["category"],
        name_zh=str(raw["name_zh"]),
        policy=policy,
        catalog_covered=_bool(raw, "catalog_covered"),
        durable_goods=_bool(raw, "durable_goods"),
        return_days=_int(raw, "return_days"),
        exchange_days=_int(raw, "exchange_days"),
        warranty_months=_int(raw, "warranty_months", minimum=1),
        main_part_months=_int(raw, "main_part_months", minimum=1),
        main_parts=_str_list(raw, "main_parts"),
        accessories=_accessories(raw["accessories"]),
        depreciation_daily_rate=_rate(raw, "depreciation_daily_rate"),
        parts_missing_exchange_days=_int(raw, "parts_missing_exchange_days", minimum=1),
        repairer_delay_exchange_days=_int(raw, "repairer_delay_exchange_days", minimum=1),
        repaired_works_days=_int(raw, "repaired_works_days"),
        parts_supply_years=_int(raw, "parts_supply_years"),
        distance_return_days=_int(raw, "distance_return_days"),
        distance_refund_days=_int(raw, "distance_refund_days", minimum=1),
        distance_channels=_str_list(raw, "distance_channels", CHANNELS),
        defect_burden_months=_int(raw, "defect_burden_months"),
        paid_repair_on_exclusion=_bool(raw, "paid_repair_on_exclusion"),
        no_invoice=_no_invoice(raw["no_invoice"]),
        to_confirm=dict(to_confirm),
        sources=_str_list(raw, "sources"),
    )
    if terms.exchange_days < terms.return_days:
        raise _bad("exchange_days", "换货期不能短于退货期", "exchange_days must be >= return_days")
    if terms.main_part_months < terms.warranty_months:
        raise _bad(
            "main_part_months",
            "主要部件三包有效期不能短于整机三包有效期",
            "main_part_months must be >= warranty_months",
        )
    return terms


def _read_json(name: str) -> dict:
    text = resources.files("kefu.catalog").joinpath("data", f"{name}.json").read_text("utf-8")
    return json.loads(text)


@cache
def load_terms(category: str) -> CategoryTerms:
    """Statutory terms (国家三包规定) of one category, read from ``data/<category>.json``."""
    if category not in CATEGORIES:
        raise TermsError("category", f"未知品类“{category}”", f"unknown category {category!r}")
    terms = terms_from_dict(_read_json(category))
    if terms.category != category:
        raise TermsError(
            "category", f"数据文件品类不符：{terms.category}", f"data file names {terms.category!r}"
        )
    return terms


def _min_days(months: int | None, days: int) -> int | None:
    """Fewest calendar days ``months`` months + ``days`` can be (months vary: 28–31 days)."""
    if months is None:
        return None
    probe = date(2023, 1, 1)  # two years, one of them leap, cover every month length
    return (
        min(
            (add_months(probe + timedelta(i), months) - (probe + timedelta(i))).days
            for i in range(731)
        )
        + days
    )


def _check_no_invoice(statutory: NoInvoiceRule, company: NoInvoiceRule) -> None:
    if not set(statutory.remedies) <= set(company.remedies):
        raise _refuse("no_invoice", "、".join(company.remedies), "、".join(statutory.remedies))
    floor = _min_days(statutory.production_offset_months, statutory.production_offset_days)
    if floor is None:
        return
    # A later start from the production date is the kinder rule: the period ends later.
    mine = _min_days(company.production_offset_months, company.production_offset_days)
    if mine is None or mine < floor:
        raise _refuse(
            "no_invoice",
            "不按生产日期计算" if mine is None else f"生产日期后{company.offset_zh()}",
            f"生产日期后{statutory.offset_zh()}",
        )


def apply_company_policy(statutory: CategoryTerms, overrides: dict) -> CategoryTerms:
    """Overlay a company policy (公司政策) on the statutory terms; refuse anything less generous.

    ``overrides`` maps term names to JSON-shaped values; ``no_invoice`` and ``accessories``
    may be partial and are merged into the statutory ones. Raises :class:`TermsError` naming
    the term when it is unknown, malformed, fixed by law, or below the floor.
    """
    if not isinstance(overrides, dict):
        raise TermsError("overrides", "公司政策应为对象", "overrides must be an object")
    for name in overrides:
        if name in _FIXED:
            raise TermsError(
                name, f"“{name}”由法律规定，公司政策不能修改", f"{name} is fixed by law"
            )
        if name not in TERM_LABELS_ZH:
            raise TermsError(name, f"未知的三包参数“{name}”", f"unknown term {name!r}")
    raw = _terms_to_raw(statutory)
    for name, value in overrides.items():
        if name == "no_invoice" and isinstance(value, dict):
            raw[name] = {**raw[name], **value}
        elif name == "accessories" and isinstance(value, dict):
            raw[name] = {**raw[name], **value}
        else:
            raw[name] = value
    company = terms_from_dict(raw, policy="company")

    for name in _AT_LEAST:
        if getattr(company, name) < getattr(statutory, name):
            raise _refuse(name, getattr(company, name), getattr(statutory, name))
    for name in _AT_MOST:
        if getattr(company, name) > getattr(statutory, name):
            raise _refuse(name, getattr(company, name), getattr(statutory, name))
    for name in _NEVER_OFF:
        if getattr(statutory, name) and not getattr(company, name):
            raise _refuse(name, "否", "是")
    for name in _SUPERSET:
        if not set(getattr(statutory, name)) <= set(getattr(company, name)):
            raise _refuse(
                name, "、".join(getattr(company, name)), "、".join(getattr(statutory, name))
            )
    for key, floor in statutory.accessories.items():
        if company.accessories[key].months < floor.months:
            raise _refuse(
                "accessories",
                f"{floor.name_zh}{company.accessories[key].months}个月",
                f"{floor.months}个月",
            )
    _check_no_invoice(statutory.no_invoice, company.no_invoice)
    return company


def _terms_to_raw(terms: CategoryTerms) -> dict:
    raw = {f.name: getattr(terms, f.name) for f in fields(CategoryTerms) if f.name != "policy"}
    raw["accessories"] = {
        k: {"months": a.months, "name_zh": a.name_zh} for k, a in terms.accessories.items()
    }
    raw["no_invoice"] = {
        "production_offset_months": terms.no_invoice.production_offset_months,
        "production_offset_days": terms.no_invoice.production_offset_days,
        "remedies": list(terms.no_invoice.remedies),
    }
    raw["depreciation_daily_rate"] = str(terms.depreciation_daily_rate)
    return raw


@lru_cache(maxsize=1)
def default_company_overrides() -> dict:
    """Seed 002's company policy (``data/company_default.json``): no invoice → 生产日期+6个月;
    paid repair offered where 三包 does not apply."""
    return _read_json("company_default")["overrides"]


@cache
def company_terms(category: str) -> CategoryTerms:
    """The default company terms of a category: statutory floor + seed 002's policy."""
    return apply_company_policy(load_terms(category), default_company_overrides())


__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "REMEDIES",
    "Accessory",
    "CategoryTerms",
    "NoInvoiceRule",
    "TermsError",
    "add_months",
    "apply_company_policy",
    "company_terms",
    "default_company_overrides",
    "load_terms",
    "terms_from_dict",
]
