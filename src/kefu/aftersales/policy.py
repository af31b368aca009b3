"""三包 adjudication engine (三包判定): facts of a case + category terms → a decision.

Pure Python, no Django. ``adjudicate(case, terms)`` returns the remedies the customer is
entitled to (包退、包换、包修 and the seed-002 company offers), the one to propose first, the
depreciation fee (折旧费), the warranty dates (三包有效期), the rules that fired with their
Chinese reasons, and a polite script for the customer. Numbers come from the terms (JSON
data, see ``kefu.catalog.terms``); reasons and script sentences from ``data/rule_texts.json``.
Rule ids are those of docs/domain.md ("三包").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any

import chinese_calendar

from kefu.catalog.terms import (
    CATEGORIES,
    CHANNELS,
    REMEDIES,
    CategoryTerms,
    add_months,
    load_terms,
)

FAULTS = (
    "performance",
    "cosmetic",
    "transport_cosmetic",
    "none",
    "misuse",
    "unauthorised_repair",
    "force_majeure",
)
QUALITY_FAULTS = frozenset({"performance", "cosmetic"})  # 质量问题
EXCLUDED_FAULTS = frozenset({"misuse", "unauthorised_repair", "force_majeure"})  # 不实行三包
WISHES = ("return", "exchange", "repair", "none")
REASONS = ("price_drop", "changed_mind", "fear_of_repair", "other_channel")

# Rule ids of docs/domain.md, and the ids added for seed 002's situations that are not statute.
STATUTORY_RULE_IDS = (
    "R-7D",
    "R-15D",
    "R-PERIOD",
    "R-2REPAIR",
    "R-PARTS",
    "R-REPAIRER-30",
    "R-RETURN-NOSAME",
    "R-EXCH-OTHER",
    "R-RETURN-DEP",
    "R-DEP",
    "R-RESTART",
    "R-START",
    "R-NOINV",
    "R-EXCL",
    "R-PARTS-5Y",
    "R-CRPL24",
    "R-CRPL25",
    "R-CRPL23",
)
SEED_RULE_IDS = (
    "R-PARTS-OBSOLETE",  # seed 11: in warranty, parts obsolete → exchange
    "R-OUT-OF-PERIOD",  # past the period → paid repair
    "R-SAMPLE",  # seed 5: disclosed defect of a sample unit (样机)
    "R-PRICE-DROP",  # seed 6
    "R-TRANSPORT-COSMETIC",  # seed 8
    "R-REFER-SELLER",  # seed 13
    "R-NO-FAULT",  # seed 4: works fine, customer changed their mind
    "R-OTHER-CHANNEL",  # seed 7
    "R-REPAIR-QUALITY",  # seed 3
)
RULE_IDS = STATUTORY_RULE_IDS + SEED_RULE_IDS

_CENT = Decimal("0.01")
_MAX_PRICE = Decimal("100000000")
_MAX_DAYS = 36500  # a century: larger counts are typing errors
_FREE_REMEDIES = frozenset({"exchange", "repair", "compensation"})
_ANY_PROOF = frozenset({"return", "exchange", "repair"})  # what an invoice unlocks
# When the customer's wish is not available, propose the most modest fitting remedy first
# (seed 003: start modest, be ready to raise).
_RECOMMEND_ORDER = (
    "compensation",
    "repair",
    "exchange",
    "return",
    "paid_repair",
    "trade_in",
    "refer_to_seller",
)


# --------------------------------------------------------------------------- the case


@dataclass(frozen=True, slots=True)
class Case:
    """The facts of one after-sales request (售后申请), as the API receives them.

    ``sale_date`` is the invoice date (flat TVs delivered and installed by the seller: the day
    installation is complete). ``repairer_delay_days`` (R-REPAIRER-30) and
    ``customer_honorific`` (e.g. "张先生", used to open the script) are optional extras.
    ``sample_unit_disclosed_defect`` means the complaint is about the defect disclosed when a
    sample unit (样机) was sold; other faults of a sample unit are ordinary faults.
    """

    category: str
    price: Decimal
    sale_date: date
    request_date: date
    has_invoice: bool = True
    has_warranty_card: bool = True
    production_date: date | None = None
    channel: str = "store"
    receipt_date: date | None = None
    fault: str = "performance"
    part: str | None = None
    failed_repairs: int = 0
    repair_days: int = 0
    parts_wait_days: int = 0
    same_model_available: bool = True
    wish: str = "none"
    sample_unit_disclosed_defect: bool = False
    goods_intact: bool = True
    discontinued_date: date | None = None
    parts_available: bool = True
    above_guide_price: bool = False
    authorised_dealer: bool = True
    reason: str | None = None
    customer_honorific: str | None = None
    repairer_delay_days: int = 0


CASE_FIELDS = tuple(f.name for f in fields(Case))
REQUIRED_FIELDS = ("category", "price", "sale_date", "request_date")

FIELD_LABELS_ZH = {
    "category": "品类",
    "price": "发票价格",
    "sale_date": "购买日期",
    "request_date": "申请日期",
    "has_invoice": "有无发票",
    "has_warranty_card": "有无三包凭证",
    "production_date": "生产日期",
    "channel": "购买渠道",
    "receipt_date": "收货日期",
    "fault": "故障类型",
    "part": "故障部件",
    "failed_repairs": "未修复次数",
    "repair_days": "修理占用天数",
    "parts_wait_days": "待修（等待配件）天数",
    "same_model_available": "有无同型号产品",
    "wish": "顾客诉求",
    "sample_unit_disclosed_defect": "样机已告知缺陷",
    "goods_intact": "商品完好",
    "discontinued_date": "停产日期",
    "parts_available": "有无备件",
    "above_guide_price": "高于指导零售价",
    "authorised_dealer": "授权经销商",
    "reason": "申请原因",
    "customer_honorific": "顾客称呼",
    "repairer_delay_days": "修理者延误天数",
}


class CaseError(ValueError):
    """Invalid case input, naming the field (字段) with a Chinese and an English message."""

    def __init__(self, field: str, message_zh: str, message_en: str):
        super().__init__(f"{field}: {message_zh}")
        self.field = field
        self.message_zh = message_zh
        self.message_en = message_en


def _label(name: str) -> str:
    return f"“{FIELD_LABELS_ZH.get(name, name)}”（{name}）"


def _parse_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise CaseError(name, f"{_label(name)}应为 true 或 false", f"{name} must be true or false")
    return value


def _parse_int(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_DAYS:
        raise CaseError(
            name,
            f"{_label(name)}应为0到{_MAX_DAYS}之间的整数",
            f"{name} must be an integer between 0 and {_MAX_DAYS}",
        )
    return value


# Warranty periods are added to these dates: a year past 2199 would overflow Python's dates
# (year 9999 + 15 months) and no real purchase is dated before 1970.
_FIRST_YEAR, _LAST_YEAR = 1970, 2199


def _parse_date(name: str, value: Any) -> date | None:
    if value is None and name not in REQUIRED_FIELDS:
        return None
    parsed = None
    if type(value) is date:
        parsed = value
    elif isinstance(value, str) and len(value) == 10:
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            pass
    if parsed is not None:
        if _FIRST_YEAR <= parsed.year <= _LAST_YEAR:
            return parsed
        raise CaseError(
            name,
            f"{_label(name)}应在{_FIRST_YEAR}年至{_LAST_YEAR}年之间",
            f"{name} must be between {_FIRST_YEAR} and {_LAST_YEAR}",
        )
    raise CaseError(
        name, f"{_label(name)}应为有效日期，格式为YYYY-MM-DD", f"{name} must be a date YYYY-MM-DD"
    )


def _parse_price(name: str, value: Any) -> Decimal:
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise InvalidOperation
        price = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
        ok = price.is_finite() and 0 < price < _MAX_PRICE and price == price.quantize(_CENT)
    except InvalidOperation:
        ok = False
    if not ok:
        raise CaseError(
            name,
            f'{_label(name)}应为大于0、最多两位小数的金额，例如"3999.00"',
            f'{name} must be a positive amount with at most 2 decimals, e.g. "3999.00"',
        )
    return price.quantize(_CENT)


def _enum(options: tuple[str, ...], nullable: bool = False) -> Callable[[str, Any], Any]:
    def parse(name: str, value: Any) -> Any:
        if value is None and nullable:
            return None
        if not isinstance(value, str) or value not in options:
            choices = "、".join(options)
            raise CaseError(
                name,
                f"{_label(name)}的取值“{value}”无效，可选值：{choices}",
                f"{name}: unknown value {value!r}; expected one of {', '.join(options)}",
            )
        return value

    return parse


def _parse_text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value.strip()) > 20:
        raise CaseError(
            name,
            f"{_label(name)}应为不超过20个字的文字",
            f"{name} must be text of at most 20 characters",
        )
    return value.strip() or None


def _parse_part(name: str, value: Any) -> str | None:
    # Only the shape here; which parts exist depends on the category (see _check_part).
    return None if value is None else _parse_text(name, value)


_PARSERS: dict[str, Callable[[str, Any], Any]] = {
    "category": _enum(CATEGORIES),
    "price": _parse_price,
    "channel": _enum(CHANNELS),
    "fault": _enum(FAULTS),
    "wish": _enum(WISHES),
    "reason": _enum(REASONS, nullable=True),
    "part": _parse_part,
    "customer_honorific": _parse_text,
}
_PARSERS.update(
    {
        name: _parse_date
        for name in (
            "sale_date",
            "request_date",
            "production_date",
            "receipt_date",
            "discontinued_date",
        )
    }
)
_PARSERS.update(
    {
        name: _parse_int
        for name in ("failed_repairs", "repair_days", "parts_wait_days", "repairer_delay_days")
    }
)
_PARSERS.update({name: _parse_bool for name in CASE_FIELDS if name not in _PARSERS})


def parse_case(data: dict) -> Case:
    """Validate JSON-shaped input into a :class:`Case` (校验售后申请).

    Raises :class:`CaseError` naming the first bad field: unknown fields, missing required
    fields, unknown enum values, bad amounts or dates, and impossible dates (bought after the
    request, produced after the sale, received before the sale or after the request, more
    days in repair than days owned).
    """
    if not isinstance(data, dict):
        raise CaseError("__root__", "请求内容应为JSON对象", "the body must be a JSON object")
    for name in data:
        if name not in _PARSERS:
            raise CaseError(str(name), f"未知字段“{name}”", f"unknown field {name!r}")
    for name in REQUIRED_FIELDS:
        if data.get(name) is None:
            raise CaseError(name, f"缺少必填字段{_label(name)}", f"{name} is required")
    case = Case(**{name: _PARSERS[name](name, value) for name, value in data.items()})
    _check_part(case)
    _check_dates(case)
    return case


def _check_part(case: Case) -> None:
    if case.part is None:
        return
    allowed = ("main_part", *load_terms(case.category).accessories)
    if case.part not in allowed:
        raise CaseError(
            "part",
            f"{_label('part')}的取值“{case.part}”对该品类无效，可选值：{'、'.join(allowed)}",
            f"part: {case.part!r} is not valid for {case.category}; expected one of {', '.join(allowed)}",
        )


def _check_dates(case: Case) -> None:
    def fail(name: str, zh: str, en: str) -> None:
        raise CaseError(name, f"{_label(name)}{zh}，请核对", en)

    if case.sale_date > case.request_date:
        fail("sale_date", "晚于申请日期", "sale_date is after request_date")
    if case.production_date and case.production_date > case.sale_date:
        fail("production_date", "晚于购买日期", "production_date is after sale_date")
    if case.receipt_date and case.receipt_date < case.sale_date:
        fail("receipt_date", "早于购买日期", "receipt_date is before sale_date")
    if case.receipt_date and case.receipt_date > case.request_date:
        fail("receipt_date", "晚于申请日期", "receipt_date is after request_date")
    owned = (case.request_date - case.sale_date).days
    if case.repair_days + case.parts_wait_days > owned:
        fail(
            "repair_days",
            "与待修天数之和超过了购买至今的天数",
            "repair_days + parts_wait_days exceed the days since sale",
        )
    if case.repairer_delay_days > owned:
        fail(
            "repairer_delay_days",
            "超过了购买至今的天数",
            "repairer_delay_days exceed the days since sale",
        )


# --------------------------------------------------------------------------- dates and money


@lru_cache(maxsize=8192)
def default_is_holiday(day: date) -> bool:
    """法定节假日 per chinese_calendar (weekends count, 调休 working days do not).

    chinese_calendar has no data for future years; there it raises NotImplementedError and
    we do not move the date rather than guess at the State Council's schedule.
    """
    try:
        return chinese_calendar.is_holiday(day)
    except NotImplementedError:
        return False


def _period_end(
    start: date, months: int, extra_days: int, is_holiday: Callable[[date], bool]
) -> date:
    end = add_months(start, months) + timedelta(days=extra_days)
    while is_holiday(end):  # 到期日遇法定节假日，顺延至节后第一个工作日
        end += timedelta(days=1)
    return end


@dataclass(frozen=True, slots=True)
class Warranty:
    """三包有效期: start, whole-unit end (整机) and main-parts end (主要部件); None when unknown."""

    start: date | None = None
    end: date | None = None
    main_parts_end: date | None = None

    def to_dict(self) -> dict:
        """ISO dates (or null), the API shape."""
        return {
            "start": self.start and self.start.isoformat(),
            "end": self.end and self.end.isoformat(),
            "main_parts_end": self.main_parts_end and self.main_parts_end.isoformat(),
        }


def _period_start(case: Case, terms: CategoryTerms) -> tuple[date | None, str | None]:
    """When the period starts and on what basis (invoice / card / production)."""
    if case.has_invoice:
        return case.sale_date, "invoice"
    start, basis = (case.sale_date, "card") if case.has_warranty_card else (None, None)
    from_production = terms.no_invoice.start_from(case.production_date)
    # Take the later start: the customer should never be worse off for keeping the card.
    if from_production and (start is None or from_production > start):
        start, basis = from_production, "production"
    return start, basis


def _warranty(
    start: date | None, extra: int, terms: CategoryTerms, holiday: Callable[[date], bool]
) -> Warranty:
    if start is None:
        return Warranty()
    return Warranty(
        start,
        _period_end(start, terms.warranty_months, extra, holiday),
        _period_end(start, terms.main_part_months, extra, holiday),
    )


def warranty_dates(
    case: Case, terms: CategoryTerms, *, is_holiday: Callable[[date], bool] | None = None
) -> Warranty:
    """The case's 三包有效期 (R-START, R-NOINV): ends extended by repair and parts-waiting days."""
    start, _ = _period_start(case, terms)
    extra = case.repair_days + case.parts_wait_days
    return _warranty(start, extra, terms, is_holiday or default_is_holiday)


def warranty_after_exchange(
    exchange_date: date, terms: CategoryTerms, *, is_holiday: Callable[[date], bool] | None = None
) -> Warranty:
    """R-RESTART: an exchanged (new) unit starts a full new period on the exchange date."""
    return _warranty(exchange_date, 0, terms, is_holiday or default_is_holiday)


def depreciation_fee(price: Decimal, daily_rate: Decimal, days_used: int) -> Decimal:
    """R-DEP 折旧费 = 发票价格 × 日折旧率 × 使用天数, half-up to the fen, between 0 and the price."""
    fee = (price * daily_rate * max(days_used, 0)).quantize(_CENT, ROUND_HALF_UP)
    return min(max(fee, Decimal("0.00")), price)


def _days_used(case: Case) -> int:
    """Days from invoice to return, minus days in repair and waiting for parts (1995 rule Art. 13)."""
    return max(
        (case.request_date - case.sale_date).days - case.repair_days - case.parts_wait_days, 0
    )


# --------------------------------------------------------------------------- the decision


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that fired: its id (docs/domain.md), the Chinese reason, and the rule's Chinese
    name, which the desk shows instead of the id."""

    id: str
    reason: str
    title: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer; :meth:`to_dict` gives the API's JSON shape."""

    remedies: tuple[str, ...]
    recommended: str | None
    free: bool
    depreciation_fee: Decimal
    refund: Decimal | None
    warranty: Warranty
    rules: tuple[RuleHit, ...]
    script: str

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The ids of the rules that fired, in order."""
        return tuple(hit.id for hit in self.rules)

    def to_dict(self) -> dict:
        """JSON-ready dict: money as 2-place strings, dates ISO."""
        return {
            "remedies": list(self.remedies),
            "recommended": self.recommended,
            "free": self.free,
            "depreciation_fee": f"{self.depreciation_fee:.2f}",
            "refund": None if self.refund is None else f"{self.refund:.2f}",
            "warranty": self.warranty.to_dict(),
            "rules": [
                {"id": hit.id, "title": hit.title, "reason": hit.reason} for hit in self.rules
            ],
            "script": self.script,
        }


def _load_texts() -> dict:
    raw = resources.files("kefu.aftersales").joinpath("data", "rule_texts.json").read_text("utf-8")
    texts = json.loads(raw)
    missing = [
        rule
        for rule in RULE_IDS
        if rule not in texts or "reason" not in texts[rule] or "title" not in texts[rule]
    ]
    if missing:
        raise RuntimeError(f"rule_texts.json lacks reasons or names (title) for {missing}")
    return texts


TEXTS = _load_texts()
_SCRIPT = TEXTS["_script"]
_RECOMMEND = TEXTS["_recommend"]
_FRAGMENTS = TEXTS["_fragments"]


def _pick(template: str | dict | None, variant: str | None) -> str | None:
    return template.get(variant) if isinstance(template, dict) else template


def _zh_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _rate_pct(rate: Decimal) -> str:
    return f"{format((rate * 100).normalize(), 'f')}%"


class _Params(dict):
    """Template values, each computed only when a template asks for it (keeps decisions fast).

    A placeholder missing from ``_PARAM_GETTERS`` raises KeyError: a typo in
    rule_texts.json fails loudly instead of reaching a customer.
    """

    __slots__ = (
        "case",
        "terms",
        "warranty",
        "basis",
        "fee",
        "refund",
        "days_used",
        "part_label",
        "part_end",
    )

    def __missing__(self, key: str) -> Any:
        value = self[key] = _PARAM_GETTERS[key](self)
        return value


_PARAM_GETTERS: dict[str, Callable[[_Params], Any]] = {
    "honorific": lambda p: p.case.customer_honorific or "",
    "price": lambda p: f"{p.case.price:.2f}",
    "fee": lambda p: f"{p.fee:.2f}",
    "refund": lambda p: f"{p.refund if p.refund is not None else 0:.2f}",
    "rate_pct": lambda p: _rate_pct(p.terms.depreciation_daily_rate),
    "days_used": lambda p: p.days_used,
    "excluded_days": lambda p: p.case.repair_days + p.case.parts_wait_days,
    "cap_note": lambda p: _FRAGMENTS["cap_note"] if p.fee and p.fee == p.case.price else "",
    "return_days": lambda p: p.terms.return_days,
    "exchange_days": lambda p: p.terms.exchange_days,
    "distance_return_days": lambda p: p.terms.distance_return_days,
    "distance_refund_days": lambda p: p.terms.distance_refund_days,
    "defect_burden_months": lambda p: p.terms.defect_burden_months,
    "start": lambda p: _zh_date(p.warranty.start),
    "end": lambda p: _zh_date(p.warranty.end),
    "main_parts_end": lambda p: _zh_date(p.warranty.main_parts_end),
    "main_parts": lambda p: "、".join(p.terms.main_parts) or "主要部件",
    "part_label": lambda p: p.part_label,
    "part_end": lambda p: _zh_date(p.part_end),
    "basis": lambda p: _FRAGMENTS[f"basis_{p.basis}"].format_map(p) if p.basis else "",
    "offset": lambda p: p.terms.no_invoice.offset_zh(),
    "failed_repairs": lambda p: p.case.failed_repairs,
    "parts_wait_days": lambda p: p.case.parts_wait_days,
    "parts_days": lambda p: p.terms.parts_missing_exchange_days,
    "repairer_days": lambda p: p.terms.repairer_delay_exchange_days,
    "repairer_delay_days": lambda p: p.case.repairer_delay_days,
    "works_days": lambda p: p.terms.repaired_works_days,
    "years": lambda p: p.terms.parts_supply_years,
    "discontinued": lambda p: _zh_date(p.case.discontinued_date),
    "cause": lambda p: _FRAGMENTS.get(f"cause_{p.case.fault}", ""),
}


# Placeholders that depend on the terms alone: filled in once per terms object, so that
# most sentences need no formatting per decision.
_TERMS_KEYS = frozenset(
    {
        "rate_pct",
        "return_days",
        "exchange_days",
        "distance_return_days",
        "distance_refund_days",
        "defect_burden_months",
        "main_parts",
        "parts_days",
        "repairer_days",
        "works_days",
        "years",
        "offset",
    }
)


class _TermsFill(dict):
    """Fills the terms' placeholders and leaves the case's ones as ``{name}`` for later."""

    __slots__ = ("terms",)

    def __missing__(self, key: str) -> Any:
        if key not in _PARAM_GETTERS:
            raise KeyError(key)
        return _PARAM_GETTERS[key](self) if key in _TERMS_KEYS else "{" + key + "}"


_Text = tuple[str, bool]  # (text, still has case placeholders)
_TEXT_CACHE: dict[int, tuple[CategoryTerms, dict]] = {}


def _texts_for(terms: CategoryTerms) -> dict[tuple[str, Any], tuple[_Text | None, _Text | None]]:
    """Every (rule, variant) → (reason, script) with the terms' numbers already filled in."""
    cached = _TEXT_CACHE.get(id(terms))
    if cached is not None and cached[0] is terms:
        return cached[1]
    fill = _TermsFill()
    fill.terms = terms

    def prepare(template: str | None) -> _Text | None:
        if template is None:
            return None
        text = template.format_map(fill)
        return text, "{" in text

    table: dict[tuple[str, Any], tuple[_Text | None, _Text | None]] = {}
    for rule in RULE_IDS:
        reason, script = TEXTS[rule]["reason"], TEXTS[rule].get("script")
        variants = {None}.union(*(t for t in (reason, script) if isinstance(t, dict)))
        for variant in variants:
            if _pick(reason, variant) is not None:
                table[rule, variant] = (
                    prepare(_pick(reason, variant)),
                    prepare(_pick(script, variant)),
                )
    for remedy, text in _RECOMMEND.items():
        table["_recommend", remedy] = (prepare(text), None)
    table["_opening", True] = (prepare(_SCRIPT["opening_named"]), None)
    table["_opening", False] = (prepare(_SCRIPT["opening"]), None)
    if len(_TEXT_CACHE) > 64:  # terms objects built per request must not pile up
        _TEXT_CACHE.clear()
    _TEXT_CACHE[id(terms)] = (terms, table)
    return table


def _render(text: _Text, params: _Params) -> str:
    return text[0].format_map(params) if text[1] else text[0]


# --------------------------------------------------------------------------- the steps
#
# adjudicate() is a pipeline: the facts of the case; each rule family, in the order its
# reasons and script sentences are told; the money; the dates the script names; the script.


class _Facts:
    """What the rule families need to know about a case, worked out once.

    The warranty dates are facts, not a late step: whether the faulty part is still inside
    its period (R-PERIOD) decides the remedies.
    """

    __slots__ = (
        "case",
        "terms",
        "basis",
        "extra",
        "warranty",
        "part_label",
        "part_end",
        "in_period",
        "proof",
        "receipt",
        "since_receipt",
    )

    def __init__(self, case: Case, terms: CategoryTerms, holiday: Callable[[date], bool]):
        self.case, self.terms = case, terms
        # R-START, R-NOINV: the period starts at the invoice, the card or the production date;
        # its ends move by the days spent in repair and waiting for parts.
        start, self.basis = _period_start(case, terms)
        self.extra = case.repair_days + case.parts_wait_days
        self.warranty = _warranty(start, self.extra, terms, holiday)
        self.part_label, self.part_end = _applicable_period(
            case, terms, self.warranty, self.extra, holiday
        )
        self.in_period = self.part_end is not None and case.request_date <= self.part_end
        self.proof = _proof(case, terms, start)
        # The consumer-law windows (R-CRPL23/24/25) count from receipt of the goods.
        self.receipt = case.receipt_date or case.sale_date
        self.since_receipt = (case.request_date - self.receipt).days


class _Draft:
    """Working state while one case is decided: remedies and fired rules, in firing order."""

    __slots__ = ("hits", "remedies", "full_return", "dep_return", "trade_in", "prefer_exchange")

    def __init__(self) -> None:
        self.hits: list[tuple[str, str | None, bool]] = []  # (rule id, variant, speaks in script)
        self.remedies: set[str] = set()
        self.full_return = False  # a return refunds the whole invoice price
        self.dep_return = False  # a return is due but carries depreciation (R-RETURN-DEP)
        self.trade_in = False
        self.prefer_exchange = False

    def fire(self, rule: str, variant: str | None = None, *, script: bool = True) -> None:
        self.hits.append((rule, variant, script))


def adjudicate(
    case: Case, terms: CategoryTerms, *, is_holiday: Callable[[date], bool] | None = None
) -> Decision:
    """Decide a 三包 case (三包判定) under ``terms`` (statutory or company).

    ``is_holiday(date) -> bool`` decides whether a period end moves to the next working day;
    by default chinese_calendar's 法定节假日 (no move for years it has no data for).
    """
    if case.category != terms.category:
        raise ValueError(f"terms are for {terms.category!r}, the case is {case.category!r}")
    facts = _Facts(case, terms, is_holiday or default_is_holiday)
    draft = _Draft()
    for family in _RULE_FAMILIES:
        family(draft, facts)
    fee, refund, days_used = _money(draft, case, terms)
    recommended = _recommend(draft, case)
    params = _script_dates(facts, fee, refund, days_used)
    rules, script = _script(draft, facts, params, recommended)
    return Decision(
        remedies=tuple([r for r in REMEDIES if r in draft.remedies]),
        recommended=recommended,
        free=_is_free(draft, recommended),
        depreciation_fee=fee,
        refund=refund,
        warranty=facts.warranty,
        rules=rules,
        script=script,
    )


# --------------------------------------------------------------------------- facts


def _applicable_period(
    case: Case,
    terms: CategoryTerms,
    warranty: Warranty,
    extra: int,
    holiday: Callable[[date], bool],
) -> tuple[str, date | None]:
    """The period that covers the faulty part: whole unit, main part, or an accessory."""
    if case.part == "main_part":
        label = _FRAGMENTS["main_part"].format(main_parts="、".join(terms.main_parts))
        return (label if terms.main_parts else "主要部件"), warranty.main_parts_end
    accessory = terms.accessories.get(case.part) if case.part else None
    if accessory and warranty.start:
        return accessory.name_zh, _period_end(warranty.start, accessory.months, extra, holiday)
    return _FRAGMENTS["whole_unit"], warranty.end


def _proof(case: Case, terms: CategoryTerms, start: date | None) -> frozenset[str]:
    """What the proof of purchase unlocks (R-NOINV): everything with an invoice; without one,
    only what the no-invoice rule keeps, and only when some proof of date exists."""
    if case.has_invoice:
        return _ANY_PROOF
    return frozenset(terms.no_invoice.remedies) if start else frozenset()


# --------------------------------------------------------------------------- rule families


def _no_invoice(d: _Draft, f: _Facts) -> None:
    """R-NOINV: without an invoice, say which proof the period runs from (card, production)."""
    if not f.case.has_invoice:
        d.fire("R-NOINV", f.basis or "none")


def _distance_sale(d: _Draft, f: _Facts) -> None:
    """R-CRPL25 (消法 Art. 25): intact goods bought at a distance (online, by phone) go back
    without a reason within the distance-sale days of receipt; excluded faults do not."""
    case, terms = f.case, f.terms
    if (
        case.channel in terms.distance_channels
        and case.goods_intact
        and case.fault not in EXCLUDED_FAULTS
        and f.since_receipt <= terms.distance_return_days
    ):
        d.remedies.add("return")
        d.full_return = True
        d.fire("R-CRPL25")


def _by_fault(d: _Draft, f: _Facts) -> None:
    """The fault picks the family that judges it, first match wins: no fault (seeds 4, 6), an
    exclusion (R-EXCL), a sample unit's disclosed defect (seed 5), transport damage (seed 8),
    then a quality fault under 三包 (catalogue goods) or under consumer law (R-CRPL24)."""
    fault = f.case.fault
    if fault == "none":
        _no_fault(d, f)
    elif fault in EXCLUDED_FAULTS:
        _exclusion(d, f)
    elif f.case.sample_unit_disclosed_defect:
        _sample_unit(d, f)
    elif fault == "transport_cosmetic":
        _transport_cosmetic(d, f)
    elif f.terms.catalog_covered:
        _sanbao(d, f)
    else:
        _consumer_law(d, f)


def _no_fault(d: _Draft, f: _Facts) -> None:
    """Seed 4 (R-NO-FAULT): a product that works gives no 三包 remedy, even within 7 days;
    seed 6 (R-PRICE-DROP): nor does a price drop."""
    d.fire("R-PRICE-DROP" if f.case.reason == "price_drop" else "R-NO-FAULT")


def _exclusion(d: _Draft, f: _Facts) -> None:
    """R-EXCL: misuse, unauthorised repair and force majeure are outside 三包; the terms say
    whether a paid repair is still offered (the rule says "may"; the company policy does)."""
    paid = f.terms.paid_repair_on_exclusion
    d.fire("R-EXCL", "paid" if paid else "no_paid")
    _paid_offer(d, f, offer_repair=paid)


def _sample_unit(d: _Draft, f: _Facts) -> None:
    """Seed 5 (R-SAMPLE): the defect disclosed when a sample unit (样机) was sold is no 三包
    fault; a paid repair is offered."""
    d.fire("R-SAMPLE")
    _paid_offer(d, f, offer_repair=True)


def _transport_cosmetic(d: _Draft, f: _Facts) -> None:
    """Seed 8 (R-TRANSPORT-COSMETIC): cosmetic damage in transport earns compensation, not an
    exchange; the repair follows the period as for any fault."""
    d.fire("R-TRANSPORT-COSMETIC")
    d.remedies.add("compensation")
    _repair(d, f)


def _sanbao(d: _Draft, f: _Facts) -> None:
    """A quality fault on a product in the national 三包 catalogue: the 7/15-day windows and
    the in-period exchange triggers may make an exchange due; repair is always considered."""
    in_window = _statutory_windows(d, f)
    triggered = _exchange_triggers(d, f)
    exchange_due = in_window or triggered
    if exchange_due:
        _exchange(d, f)
    _repair(d, f, quiet=exchange_due)


def _statutory_windows(d: _Draft, f: _Facts) -> bool:
    """R-7D: a 性能故障 within 7 days may be returned (or exchanged); R-15D: within 15 days,
    exchanged. Cosmetic faults have no windows. True when an exchange is due."""
    case, terms = f.case, f.terms
    if case.fault != "performance":
        return False
    elapsed = (case.request_date - case.sale_date).days
    if elapsed <= terms.return_days and "return" in f.proof:
        d.fire("R-7D")
        d.remedies.add("return")
        d.full_return = True
        return True
    if elapsed <= terms.exchange_days and "exchange" in f.proof:
        d.fire("R-15D")
        return True
    return False


# Inside the period, each of these makes an exchange due and the natural proposal even when
# repair is still possible (seed 10): (rule id, applies to the case under the terms).
_EXCHANGE_TRIGGERS: tuple[tuple[str, Callable[[Case, CategoryTerms], bool]], ...] = (
    ("R-2REPAIR", lambda case, terms: case.failed_repairs >= 2),
    ("R-PARTS", lambda case, terms: case.parts_wait_days > terms.parts_missing_exchange_days),
    (
        "R-REPAIRER-30",
        lambda case, terms: case.repairer_delay_days > terms.repairer_delay_exchange_days,
    ),
    ("R-PARTS-OBSOLETE", lambda case, terms: not case.parts_available),  # seed 11
)


def _exchange_triggers(d: _Draft, f: _Facts) -> bool:
    """R-2REPAIR, R-PARTS, R-REPAIRER-30, R-PARTS-OBSOLETE: repeated failed repairs, too long
    a wait for parts or for the repairer, or no parts at all, inside the period. True when
    any fired."""
    if not (f.in_period and "exchange" in f.proof):
        return False
    triggered = False
    for rule, applies in _EXCHANGE_TRIGGERS:
        if applies(f.case, f.terms):
            d.fire(rule)
            triggered = True
    if triggered:
        d.prefer_exchange = True
    return triggered


def _exchange(d: _Draft, f: _Facts) -> None:
    """An exchange is due (换货): same model, or another model (R-EXCH-OTHER), and a new period
    (R-RESTART). A return goes with it (1995 rule Art. 13): in full when no same model exists
    (R-RETURN-NOSAME), otherwise less depreciation (R-RETURN-DEP, R-DEP)."""
    same_model = f.case.same_model_available
    d.remedies.add("exchange")
    if "return" in f.proof:
        d.remedies.add("return")
        if not same_model:
            if not d.full_return:
                d.fire("R-RETURN-NOSAME")
                d.full_return = True
        elif not d.full_return:
            d.dep_return = True
            d.fire("R-RETURN-DEP")
            d.fire("R-DEP", script=False)  # the R-RETURN-DEP sentence already shows the sum
    if not same_model:
        d.fire("R-EXCH-OTHER")
    d.fire("R-RESTART")


def _repair(d: _Draft, f: _Facts, *, quiet: bool = False) -> None:
    """R-PERIOD: free repair inside the faulty part's period; with no parts and no exchange, a
    trade-in (R-PARTS-5Y). Outside it (R-OUT-OF-PERIOD): paid repair or trade-in."""
    if f.in_period and "repair" in f.proof:
        if f.case.parts_available:
            d.remedies.add("repair")
            d.fire("R-PERIOD", script=not quiet)
        elif "exchange" not in d.remedies:
            _trade_in(d, f)
        return
    if f.part_end is not None and not f.in_period:
        d.fire("R-OUT-OF-PERIOD")
    _paid_offer(d, f, offer_repair=True)


def _paid_offer(d: _Draft, f: _Facts, *, offer_repair: bool) -> None:
    """Outside 三包: paid repair when parts exist, otherwise a depreciated trade-in (折旧换机)."""
    if f.case.parts_available:
        if offer_repair:
            d.remedies.add("paid_repair")
    else:
        _trade_in(d, f)


def _trade_in(d: _Draft, f: _Facts) -> None:
    """R-PARTS-5Y: parts are owed for years after discontinuation ("owed") or no longer
    ("expired", seed 9); either way a trade-in at depreciation (R-DEP) is offered."""
    case = f.case
    supply_ends = case.discontinued_date and add_months(
        case.discontinued_date, 12 * f.terms.parts_supply_years
    )
    d.fire("R-PARTS-5Y", "expired" if supply_ends and case.request_date > supply_ends else "owed")
    d.remedies.add("trade_in")
    d.trade_in = True
    d.fire("R-DEP")


def _consumer_law(d: _Draft, f: _Facts) -> None:
    """A quality fault on goods with no national 三包 rule: 消法 Art. 24 (R-CRPL24) — return
    or exchange within 7 days of receipt, afterwards exchange inside the period; repair too."""
    if f.since_receipt <= f.terms.return_days and "return" in f.proof:
        d.fire("R-CRPL24", "within")
        d.remedies.update(("return", "exchange"))
        d.full_return = True
    elif f.in_period:
        d.fire("R-CRPL24", "after")
        if "exchange" in f.proof:
            d.remedies.add("exchange")
    _repair(d, f, quiet=True)


def _defect_burden(d: _Draft, f: _Facts) -> None:
    """R-CRPL23 (消法 Art. 23): for durable goods, a quality defect within 6 months of receipt
    (defect_burden_months) is the business's to disprove. A reason for the agent only."""
    case, terms = f.case, f.terms
    if (
        case.fault in QUALITY_FAULTS
        and terms.durable_goods
        and case.request_date <= add_months(f.receipt, terms.defect_burden_months)
    ):
        d.fire("R-CRPL23", script=False)


# Seed 13: (paid above the guide price, unauthorised dealer) → which R-REFER-SELLER reason.
_REFER_VARIANTS = {
    (True, True): "both",
    (True, False): "above_guide",
    (False, True): "unauthorised",
}


def _seller_referral(d: _Draft, f: _Facts) -> None:
    """Seed 13 (R-REFER-SELLER): a price above the guide price, or a dealer the brand did not
    authorise, is the selling store's to answer under consumer law."""
    key = (bool(f.case.above_guide_price), not f.case.authorised_dealer)
    variant = _REFER_VARIANTS.get(key)
    if variant:
        d.remedies.add("refer_to_seller")
        d.fire("R-REFER-SELLER", variant)


_ANY_REPAIR = frozenset({"repair", "paid_repair"})
# Seeds 7 and 3: the reason the customer gave → (rule answering it, whether the remedies call
# for an answer).
_REASON_RULES: dict[str | None, tuple[str, Callable[[set[str]], bool]]] = {
    "other_channel": ("R-OTHER-CHANNEL", lambda remedies: "exchange" not in remedies),
    "fear_of_repair": ("R-REPAIR-QUALITY", lambda remedies: bool(remedies & _ANY_REPAIR)),
}


def _customer_reason(d: _Draft, f: _Facts) -> None:
    """Seed 7 (R-OTHER-CHANNEL): no exchange "through other channels" when the rules give
    none; seed 3 (R-REPAIR-QUALITY): reassure a customer afraid of repair when one is offered."""
    answer = _REASON_RULES.get(f.case.reason)
    if answer and answer[1](d.remedies):
        d.fire(answer[0])


def _period_dates(d: _Draft, f: _Facts) -> None:
    """R-START: tell the customer when the period started and ends, the main parts' end too
    when it differs. Not when no proof of date exists (R-NOINV)."""
    if f.warranty.start is not None:
        warranty = f.warranty
        has_main = bool(f.terms.main_parts) and warranty.main_parts_end != warranty.end
        d.fire("R-START", "main" if has_main else "whole_only")


# The rule families in the order they fire, which is the order of the reasons and the script.
_RULE_FAMILIES: tuple[Callable[[_Draft, _Facts], None], ...] = (
    _no_invoice,
    _distance_sale,
    _by_fault,
    _defect_burden,
    _seller_referral,
    _customer_reason,
    _period_dates,
)


# --------------------------------------------------------------------------- money


def _money(d: _Draft, case: Case, terms: CategoryTerms) -> tuple[Decimal, Decimal | None, int]:
    """(fee, refund, days used). R-DEP: depreciation (折旧费) only for a depreciated return
    (R-RETURN-DEP) or a trade-in (折旧换机); a return refunds the price, less that fee when
    depreciated."""
    days_used = _days_used(case)
    fee = Decimal("0.00")
    if d.dep_return or d.trade_in:
        fee = depreciation_fee(case.price, terms.depreciation_daily_rate, days_used)
    refund = None
    if "return" in d.remedies:
        refund = case.price - fee if d.dep_return else case.price
    return fee, refund, days_used


def _recommend(d: _Draft, case: Case) -> str | None:
    """The one remedy to propose first (seed 003: one solution first, modest, ready to raise)."""
    remedies = d.remedies
    if not remedies:
        return None
    wish = case.wish
    if wish in remedies and not (wish == "return" and d.dep_return):
        return wish
    # Seed 002 situations 2 and 10: an exchange serves the customer better than a
    # depreciated return, and after repeated failures a new unit beats another repair.
    if "exchange" in remedies and (d.prefer_exchange or (wish == "return" and d.dep_return)):
        return "exchange"
    if "refer_to_seller" in remedies and (
        wish in ("return", "exchange") or remedies == {"refer_to_seller"}
    ):
        return "refer_to_seller"
    return next(r for r in _RECOMMEND_ORDER if r in remedies)


def _is_free(d: _Draft, recommended: str | None) -> bool:
    """Whether the proposal costs the customer nothing: a return is free only undepreciated."""
    return recommended in _FREE_REMEDIES or (recommended == "return" and not d.dep_return)


# --------------------------------------------------------------------------- dates and script


def _script_dates(f: _Facts, fee: Decimal, refund: Decimal | None, days_used: int) -> _Params:
    """The template values. The dates (三包有效期, the faulty part's end) appear in nearly every
    decision, so they are written in Chinese now; everything else on demand (_PARAM_GETTERS)."""
    warranty = f.warranty
    params = _Params(
        start=_zh_date(warranty.start),
        end=_zh_date(warranty.end),
        main_parts_end=_zh_date(warranty.main_parts_end),
        part_end=_zh_date(f.part_end),
        part_label=f.part_label,
        excluded_days=f.extra,
    )
    params.case, params.terms, params.warranty, params.basis = f.case, f.terms, warranty, f.basis
    params.fee, params.refund, params.days_used = fee, refund, days_used
    params.part_label, params.part_end = f.part_label, f.part_end
    return params


def _script(
    d: _Draft, f: _Facts, params: _Params, recommended: str | None
) -> tuple[tuple[RuleHit, ...], str]:
    """The reasons (one per fired rule, in firing order) and the script: opening, an apology
    when something is wrong, each speaking rule's sentence, the proposal, the closing."""
    texts = _texts_for(f.terms)
    rules = []
    lines = [_render(texts["_opening", bool(f.case.customer_honorific)][0], params)]
    if f.case.fault != "none":
        lines.append(_SCRIPT["sorry"])
    for rule, variant, speaks in d.hits:
        if rule == "R-PERIOD":
            variant = _period_variant(d, f)
        reason, script = texts[rule, variant]
        rules.append(RuleHit(rule, _render(reason, params), TEXTS[rule]["title"]))
        if speaks and script:
            lines.append(_render(script, params))
    lines.append(_render(texts["_recommend", recommended or "none"][0], params))
    lines.append(_SCRIPT["closing"])
    return tuple(rules), "".join(lines)


def _period_variant(d: _Draft, f: _Facts) -> str:
    """R-PERIOD explains the closed 7/15-day windows only when they are why a return or
    exchange wish fails (seed 1); seed 7's R-OTHER-CHANNEL answers the other-channel ask."""
    case = f.case
    denied = case.wish in ("return", "exchange") and case.wish not in d.remedies
    late = (case.request_date - case.sale_date).days > f.terms.exchange_days
    return "wish_denied" if denied and late and case.reason != "other_channel" else "plain"


__all__ = [
    "CASE_FIELDS",
    "EXCLUDED_FAULTS",
    "FAULTS",
    "QUALITY_FAULTS",
    "REASONS",
    "REQUIRED_FIELDS",
    "RULE_IDS",
    "SEED_RULE_IDS",
    "STATUTORY_RULE_IDS",
    "WISHES",
    "Case",
    "CaseError",
    "Decision",
    "RuleHit",
    "Warranty",
    "adjudicate",
    "default_is_holiday",
    "depreciation_fee",
    "parse_case",
    "warranty_after_exchange",
    "warranty_dates",
]
