"""三包 adjudication engine (三包判定): facts of a case + category terms → a decision.

Pure Python, no Django. ``adjudicate(case, terms)`` returns the remedies the customer is
entitled to (包退、包换、包修 and the seed-002 company offers), the one to propose first, the
depreciation fee (折旧费), the warranty dates (三包有效期), the rules that fired with their
Chinese reasons, and a polite script for the customer. Numbers come from the terms (JSON
data, see ``terms.py``); reasons and script sentences from ``data/rule_texts.json``.
Rule ids are those of DOMAIN.md ("After-sales: 三包").
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

from kefu.aftersales.terms import (
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

# Rule ids of DOMAIN.md, and the ids added for seed 002's situations that are not statute.
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
# Triggers that make an exchange the natural proposal even when repair is still possible.
_EXCHANGE_TRIGGERS = ("R-2REPAIR", "R-PARTS", "R-REPAIRER-30", "R-PARTS-OBSOLETE")


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


def _parse_date(name: str, value: Any) -> date | None:
    if value is None and name not in REQUIRED_FIELDS:
        return None
    if type(value) is date:
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
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
    """A rule that fired: its id (DOMAIN.md) and the Chinese reason."""

    id: str
    reason: str


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
            "rules": [{"id": hit.id, "reason": hit.reason} for hit in self.rules],
            "script": self.script,
        }


def _load_texts() -> dict:
    raw = resources.files("kefu.aftersales").joinpath("data", "rule_texts.json").read_text("utf-8")
    texts = json.loads(raw)
    missing = [rule for rule in RULE_IDS if rule not in texts or "reason" not in texts[rule]]
    if missing:
        raise RuntimeError(f"rule_texts.json lacks reasons for {missing}")
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
    holiday = is_holiday or default_is_holiday
    start, basis = _period_start(case, terms)
    extra = case.repair_days + case.parts_wait_days
    warranty = _warranty(start, extra, terms, holiday)
    part_label, part_end = _applicable_period(case, terms, warranty, extra, holiday)
    in_period = part_end is not None and case.request_date <= part_end
    # What the proof of purchase unlocks: everything with an invoice; without one, only what
    # the no-invoice rule keeps, and only when some proof of date exists.
    if case.has_invoice:
        proof = _ANY_PROOF
    else:
        proof = frozenset(terms.no_invoice.remedies) if start else frozenset()

    d = _Draft()
    if not case.has_invoice:
        d.fire("R-NOINV", basis or "none")
    receipt = case.receipt_date or case.sale_date
    since_receipt = (case.request_date - receipt).days
    if (
        case.channel in terms.distance_channels
        and case.goods_intact
        and case.fault not in EXCLUDED_FAULTS
        and since_receipt <= terms.distance_return_days
    ):
        d.remedies.add("return")
        d.full_return = True
        d.fire("R-CRPL25")

    fault = case.fault
    if fault == "none":
        d.fire("R-PRICE-DROP" if case.reason == "price_drop" else "R-NO-FAULT")
    elif fault in EXCLUDED_FAULTS:
        d.fire("R-EXCL", "paid" if terms.paid_repair_on_exclusion else "no_paid")
        _paid_offer(d, case, terms, offer_repair=terms.paid_repair_on_exclusion)
    elif case.sample_unit_disclosed_defect:
        d.fire("R-SAMPLE")
        _paid_offer(d, case, terms, offer_repair=True)
    elif fault == "transport_cosmetic":
        d.fire("R-TRANSPORT-COSMETIC")
        d.remedies.add("compensation")
        _repair(d, case, terms, in_period, part_label, part_end, proof)
    elif terms.catalog_covered:
        _sanbao(d, case, terms, in_period, part_label, part_end, proof)
    else:
        _consumer_law(d, case, terms, in_period, part_label, part_end, proof, since_receipt)

    if (
        fault in QUALITY_FAULTS
        and terms.durable_goods
        and case.request_date <= add_months(receipt, terms.defect_burden_months)
    ):
        d.fire("R-CRPL23", script=False)
    if case.above_guide_price or not case.authorised_dealer:
        d.remedies.add("refer_to_seller")
        variant = (
            "both"
            if case.above_guide_price and not case.authorised_dealer
            else ("above_guide" if case.above_guide_price else "unauthorised")
        )
        d.fire("R-REFER-SELLER", variant)
    if case.reason == "other_channel" and "exchange" not in d.remedies:
        d.fire("R-OTHER-CHANNEL")
    if case.reason == "fear_of_repair" and d.remedies & {"repair", "paid_repair"}:
        d.fire("R-REPAIR-QUALITY")
    if start is not None:
        has_main = bool(terms.main_parts) and warranty.main_parts_end != warranty.end
        d.fire("R-START", "main" if has_main else "whole_only")

    # Money: a depreciated return (R-RETURN-DEP) or a depreciated trade-in (折旧换机).
    fee = Decimal("0.00")
    days_used = _days_used(case)
    if d.dep_return or d.trade_in:
        fee = depreciation_fee(case.price, terms.depreciation_daily_rate, days_used)
    refund = None
    if "return" in d.remedies:
        refund = case.price - fee if d.dep_return else case.price

    recommended = _recommend(d, case)
    free = recommended in _FREE_REMEDIES or (recommended == "return" and not d.dep_return)
    remedies = tuple([r for r in REMEDIES if r in d.remedies])

    # Dates appear in nearly every decision: fill them now; the rest is computed on demand.
    params = _Params(
        start=_zh_date(warranty.start),
        end=_zh_date(warranty.end),
        main_parts_end=_zh_date(warranty.main_parts_end),
        part_end=_zh_date(part_end),
        part_label=part_label,
        excluded_days=extra,
    )
    params.case, params.terms, params.warranty, params.basis = case, terms, warranty, basis
    params.fee, params.refund, params.days_used = fee, refund, days_used
    params.part_label, params.part_end = part_label, part_end

    texts = _texts_for(terms)
    rules = []
    lines = [_render(texts["_opening", bool(case.customer_honorific)][0], params)]
    if fault != "none":
        lines.append(_SCRIPT["sorry"])
    for rule, variant, speaks in d.hits:
        if rule == "R-PERIOD":
            # Explain the closed 7/15-day windows only when they are why the wish fails.
            denied = case.wish in ("return", "exchange") and case.wish not in d.remedies
            late = (case.request_date - case.sale_date).days > terms.exchange_days
            variant = (
                "wish_denied" if denied and late and case.reason != "other_channel" else "plain"
            )
        reason, script = texts[rule, variant]
        rules.append(RuleHit(rule, _render(reason, params)))
        if speaks and script:
            lines.append(_render(script, params))
    lines.append(_render(texts["_recommend", recommended or "none"][0], params))
    lines.append(_SCRIPT["closing"])
    return Decision(
        remedies=remedies,
        recommended=recommended,
        free=free,
        depreciation_fee=fee,
        refund=refund,
        warranty=warranty,
        rules=tuple(rules),
        script="".join(lines),
    )


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


def _sanbao(
    d: _Draft, case: Case, terms: CategoryTerms, in_period: bool, part_label, part_end, proof
) -> None:
    """A quality fault on a product in the national 三包 catalogue."""
    exchange_due = False
    if case.fault == "performance":  # the 7/15-day windows are for 性能故障 only
        elapsed = (case.request_date - case.sale_date).days
        if elapsed <= terms.return_days and "return" in proof:
            d.fire("R-7D")
            d.remedies.add("return")
            d.full_return = exchange_due = True
        elif elapsed <= terms.exchange_days and "exchange" in proof:
            d.fire("R-15D")
            exchange_due = True
    if in_period and "exchange" in proof:
        triggers = (
            ("R-2REPAIR", case.failed_repairs >= 2),
            ("R-PARTS", case.parts_wait_days > terms.parts_missing_exchange_days),
            ("R-REPAIRER-30", case.repairer_delay_days > terms.repairer_delay_exchange_days),
            ("R-PARTS-OBSOLETE", not case.parts_available),
        )
        for rule, applies in triggers:
            if applies:
                d.fire(rule)
                exchange_due = d.prefer_exchange = True
    if exchange_due:
        _exchange(d, case, proof)
    _repair(d, case, terms, in_period, part_label, part_end, proof, quiet=exchange_due)


def _exchange(d: _Draft, case: Case, proof) -> None:
    """An exchange is due (换货): same model, or a return under the 1995 rule Art. 13."""
    d.remedies.add("exchange")
    if "return" in proof:
        d.remedies.add("return")
        if not case.same_model_available:
            if not d.full_return:
                d.fire("R-RETURN-NOSAME")
                d.full_return = True
        elif not d.full_return:
            d.dep_return = True
            d.fire("R-RETURN-DEP")
            d.fire("R-DEP", script=False)  # the R-RETURN-DEP sentence already shows the sum
    if not case.same_model_available:
        d.fire("R-EXCH-OTHER")
    d.fire("R-RESTART")


def _repair(
    d: _Draft,
    case: Case,
    terms: CategoryTerms,
    in_period: bool,
    part_label,
    part_end,
    proof,
    *,
    quiet: bool = False,
) -> None:
    """Free repair inside the period (R-PERIOD); paid repair or trade-in outside it."""
    if in_period and "repair" in proof:
        if case.parts_available:
            d.remedies.add("repair")
            d.fire("R-PERIOD", script=not quiet)
        elif "exchange" not in d.remedies:
            _trade_in(d, case, terms)
        return
    if part_end is not None and not in_period:
        d.fire("R-OUT-OF-PERIOD")
    _paid_offer(d, case, terms, offer_repair=True)


def _paid_offer(d: _Draft, case: Case, terms: CategoryTerms, *, offer_repair: bool) -> None:
    """Outside 三包: paid repair when parts exist, otherwise a depreciated trade-in (折旧换机)."""
    if case.parts_available:
        if offer_repair:
            d.remedies.add("paid_repair")
    else:
        _trade_in(d, case, terms)


def _trade_in(d: _Draft, case: Case, terms: CategoryTerms) -> None:
    supply_ends = case.discontinued_date and add_months(
        case.discontinued_date, 12 * terms.parts_supply_years
    )
    d.fire("R-PARTS-5Y", "expired" if supply_ends and case.request_date > supply_ends else "owed")
    d.remedies.add("trade_in")
    d.trade_in = True
    d.fire("R-DEP")


def _consumer_law(
    d: _Draft,
    case: Case,
    terms: CategoryTerms,
    in_period: bool,
    part_label,
    part_end,
    proof,
    since_receipt: int,
) -> None:
    """A quality fault on goods with no national 三包 rule: 消法 Art. 24 (R-CRPL24)."""
    if since_receipt <= terms.return_days and "return" in proof:
        d.fire("R-CRPL24", "within")
        d.remedies.update(("return", "exchange"))
        d.full_return = True
    elif in_period:
        d.fire("R-CRPL24", "after")
        if "exchange" in proof:
            d.remedies.add("exchange")
    _repair(d, case, terms, in_period, part_label, part_end, proof, quiet=True)


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
