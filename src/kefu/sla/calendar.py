"""Business calendars (营业时间) and business-time arithmetic for SLA clocks.

Pure Python, no Django: plain data in, plain data out, so the SLA sweep, the admin and the
``kefu sla due`` command all share one exact implementation.

Definitions (every public function follows them):

* A calendar opens, on each local day, a list of wall-clock **periods** ``[start, end)``;
  a lunch break is two periods, ``end == time(0)`` means 24:00 (midnight at the day's end).
* ``is_open(t)``: *t* lies in ``[start, end)`` of some period; the closing instant itself is
  closed. An instant is **inside closed hours** when it is neither open nor exactly a
  period end.
* **Business time** in ``[a, b)`` is the real elapsed time (measured in UTC, so DST days
  count 23 or 25 hours) that falls inside open periods, exact to the microsecond.
* ``add_business_time(s, d)`` is the **earliest** instant *t* >= *s* with
  ``business_time_between(s, t) == d``. Hence a clock started in closed hours starts at the
  next opening; a due time that falls on a closing instant stays there (18:00, not the next
  morning's 09:00); and a zero duration returns *s* itself, even in closed hours, because
  nothing is left to wait for.

Day schedule, first rule that applies:
``closed_dates`` (admin exception, e.g. closed for renovation) > ``always_open`` (00:00-24:00)
> ``open_dates`` (admin extra opening) > official holiday (closed) > 调休 make-up working day
(``workday_periods``) > the weekday's ``weekly`` periods. Holidays and 调休 only count for
calendars with ``observe_holidays``; they come from a :class:`HolidaySource`, by default the
``chinese-calendar`` package. Years it has no data for fall back to plain weekends.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar
from chinese_calendar.constants import holidays as _CN_HOLIDAY_DATES

Period = tuple[time, time]
Periods = tuple[Period, ...]
DayKind = Literal["workday", "holiday", "weekend", "makeup_workday"]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TZ = "Asia/Shanghai"

_MIDNIGHT = time(0)
_FULL_DAY: Periods = ((_MIDNIGHT, _MIDNIGHT),)
_DAY = timedelta(days=1)
_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A calendar with no opening for this many consecutive years is treated as never opening
# (e.g. only a few open_dates in the past), instead of searching until year 9999.
_MAX_EMPTY_YEARS = 5


# --------------------------------------------------------------------------- holidays


class HolidaySource(Protocol):
    """Where official holidays and 调休 make-up working days come from (injectable in tests)."""

    def day_kind(self, day: date) -> DayKind:
        """'workday', 'holiday' (official day off), 'weekend' or 'makeup_workday' (调休上班)."""
        ...


class ChineseHolidaySource:
    """China's State Council holiday notices, as packaged by ``chinese-calendar``.

    For years the package has no data for, days are plain workdays (Mon-Fri) and weekends.
    """

    def years(self) -> range:
        """The years the package has holiday data for."""
        return holiday_data_years()

    def has_data(self, year: int) -> bool:
        """Whether *year* has official holiday data (else weekends are the fallback)."""
        return has_holiday_data(year)

    def day_kind(self, day: date) -> DayKind:
        """Classify *day*; see :class:`HolidaySource`."""
        return _chinese_day_kind(day)


# The package checks its data range the same way (min..max year of its holiday table).
_CN_YEARS = range(min(_CN_HOLIDAY_DATES).year, max(_CN_HOLIDAY_DATES).year + 1)


def holiday_data_years() -> range:
    """Years covered by the installed ``chinese-calendar`` data (e.g. ``range(2004, 2027)``)."""
    return _CN_YEARS


def has_holiday_data(year: int) -> bool:
    """Whether official holidays and 调休 are known for *year*; the admin warns when not."""
    return year in holiday_data_years()


@lru_cache(maxsize=8192)
def _chinese_day_kind(day: date) -> DayKind:
    weekend = day.weekday() >= 5
    # chinese_calendar raises NotImplementedError outside its data years: fall back to weekends.
    if not has_holiday_data(day.year):
        return "weekend" if weekend else "workday"
    # Note: chinese_calendar.is_in_lieu() marks *rest* days swapped in by 调休 (e.g. 2026-10-06),
    # not make-up working days; a make-up day is a weekend day on which people work.
    day_off, name = chinese_calendar.get_holiday_detail(day)
    if not day_off:
        return "makeup_workday" if weekend else "workday"
    return "holiday" if name is not None else "weekend"


CHINESE_HOLIDAYS = ChineseHolidaySource()


# --------------------------------------------------------------------------- the calendar


@dataclass(frozen=True)
class BusinessCalendar:
    """A named business calendar: weekly opening periods in one time zone plus exceptions.

    Fields accept convenient input (lists, ``"09:00"`` / ``"24:00"`` strings, sets, dicts) and
    are normalised to immutable values, so a calendar is hashable and safe to cache on
    (``open_dates`` becomes a read-only mapping, left out of the hash but not of equality).

    - ``weekly``: 7 entries, Monday first, each a tuple of ``(start, end)`` periods.
    - ``observe_holidays``: official holidays closed, 调休 make-up days open with
      ``workday_periods`` (default: Monday's periods).
    - ``closed_dates`` / ``open_dates``: admin exceptions (closed all day / these periods instead).
    - ``always_open``: 24/7, for targets in calendar hours; only ``closed_dates`` may apply.
    """

    name: str
    tz: str = DEFAULT_TZ
    weekly: tuple[Periods, ...] = ((),) * 7
    observe_holidays: bool = False
    workday_periods: Periods | None = None
    closed_dates: frozenset[date] = frozenset()
    open_dates: Mapping[date, Periods] = field(default_factory=dict, hash=False)
    always_open: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("calendar name must be a non-empty string")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"calendar {self.name!r}: unknown time zone {self.tz!r}") from exc
        weekly = tuple(self.weekly)
        if len(weekly) != 7:
            raise ValueError(f"calendar {self.name!r}: weekly needs 7 entries (Monday first)")
        weekly = tuple(_periods(p, f"{self.name} {WEEKDAY_NAMES[i]}") for i, p in enumerate(weekly))
        workday = (
            weekly[0]
            if self.workday_periods is None
            else _periods(self.workday_periods, f"{self.name} workday_periods")
        )
        closed = frozenset(_date(d, "closed_dates") for d in self.closed_dates)
        opened = {
            _date(d, "open_dates"): _periods(p, f"{self.name} {d}")
            for d, p in dict(self.open_dates).items()
        }
        if clash := sorted(closed & opened.keys()):
            raise ValueError(f"calendar {self.name!r}: {clash[0]} is both closed and opened")
        if self.always_open and (any(weekly) or workday or opened or self.observe_holidays):
            raise ValueError(
                f"calendar {self.name!r}: always_open takes no periods, open_dates or holidays"
            )
        set_ = object.__setattr__  # frozen: normalise once, here
        set_(self, "weekly", weekly)
        set_(self, "workday_periods", workday)
        set_(self, "closed_dates", closed)
        set_(self, "open_dates", MappingProxyType(opened))
        set_(self, "observe_holidays", bool(self.observe_holidays))
        set_(self, "always_open", bool(self.always_open))

    @cached_property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return ZoneInfo(self.tz)

    @property
    def is_24_7(self) -> bool:
        """True when business time equals real time (24/7 with no closed dates)."""
        return self.always_open and not self.closed_dates

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; :func:`calendar_from_dict` reads it back to an equal calendar."""
        return {
            "name": self.name,
            "tz": self.tz,
            "weekly": {n: _periods_out(p) for n, p in zip(WEEKDAY_NAMES, self.weekly, strict=True)},
            "observe_holidays": self.observe_holidays,
            "workday_periods": _periods_out(self.workday_periods or ()),
            "closed_dates": sorted(d.isoformat() for d in self.closed_dates),
            "open_dates": {
                d.isoformat(): _periods_out(p) for d, p in sorted(self.open_dates.items())
            },
            "always_open": self.always_open,
        }


_DICT_KEYS = frozenset(
    "name description tz weekly observe_holidays workday_periods closed_dates open_dates"
    " always_open".split()
)


def calendar_from_dict(d: Mapping[str, Any]) -> BusinessCalendar:
    """Build a calendar from its JSON form (see :meth:`BusinessCalendar.to_dict`).

    ``weekly`` maps ``mon``..``sun`` to ``[["09:00", "12:00"], ...]``; a missing day is closed.
    Unknown keys are refused so a typo cannot silently open or close a store.
    """
    if unknown := sorted(set(d) - _DICT_KEYS):
        raise ValueError(f"unknown calendar keys: {', '.join(unknown)}")
    weekly = d.get("weekly", {})
    if unknown := sorted(set(weekly) - set(WEEKDAY_NAMES)):
        raise ValueError(f"unknown weekday names: {', '.join(unknown)} (use mon..sun)")
    return BusinessCalendar(
        name=d["name"],
        tz=d.get("tz", DEFAULT_TZ),
        weekly=tuple(weekly.get(n, ()) for n in WEEKDAY_NAMES),
        observe_holidays=d.get("observe_holidays", False),
        workday_periods=d.get("workday_periods"),
        closed_dates=frozenset(d.get("closed_dates", ())),
        open_dates=dict(d.get("open_dates", {})),
        always_open=d.get("always_open", False),
    )


def load_seeded() -> dict[str, BusinessCalendar]:
    """The seeded calendars from ``kefu/sla/data/calendars.json``, by name.

    ``store`` (09:00-21:00 daily, trades on holidays), ``hotline`` (08:00-22:00 daily),
    ``backoffice`` (09:00-12:00, 13:00-18:00 on official working days), ``always`` (24/7).
    """
    text = resources.files("kefu.sla").joinpath("data/calendars.json").read_text("utf-8")
    out: dict[str, BusinessCalendar] = {}
    for item in json.loads(text)["calendars"]:
        cal = calendar_from_dict(item)
        if cal.name in out:
            raise ValueError(f"duplicate seeded calendar {cal.name!r}")
        out[cal.name] = cal
    return out


# --------------------------------------------------------------------------- public queries


def open_periods_on(
    day: date, cal: BusinessCalendar, *, source: HolidaySource | None = None
) -> list[tuple[datetime, datetime]]:
    """The open periods of local *day* as ``(start, end)`` aware datetimes in ``cal.tz``.

    Touching periods are merged; a period in a DST gap shrinks to its real length.
    """
    zone = cal.zone
    return [
        (_from_us(s, zone), _from_us(e, zone))
        for s, e in _day_intervals(cal, _src(cal, source), day)
    ]


def is_open(dt: datetime, cal: BusinessCalendar, *, source: HolidaySource | None = None) -> bool:
    """Whether *cal* is open at the aware instant *dt* (a closing instant is closed)."""
    t = _to_us(dt, "dt")
    if cal.is_24_7:
        return True
    table = _year_table(cal, _src(cal, source), _local_year(dt, cal.zone))
    i = bisect_right(table.starts, t) - 1
    return i >= 0 and t < table.ends[i]


def next_opening(
    dt: datetime, cal: BusinessCalendar, *, source: HolidaySource | None = None
) -> datetime:
    """*dt* itself if open, else the start of the next open period (in ``cal.tz``).

    This is when a clock started at *dt* begins to run. ValueError if the calendar has no
    opening for years.
    """
    t = _to_us(dt, "dt")
    if is_open(dt, cal, source=source):
        return dt.astimezone(cal.zone)
    src, year = _src(cal, source), _local_year(dt, cal.zone)
    table = _year_table(cal, src, year)
    i = bisect_right(table.starts, t)
    for _ in range(_MAX_EMPTY_YEARS + 1):
        if i < len(table.starts):
            return _from_us(table.starts[i], cal.zone)
        year += 1
        table, i = _year_table(cal, src, year), 0
    raise ValueError(f"calendar {cal.name!r} has no opening within {_MAX_EMPTY_YEARS} years")


def add_business_time(
    start: datetime,
    duration: timedelta,
    cal: BusinessCalendar,
    *,
    source: HolidaySource | None = None,
) -> datetime:
    """The due time *duration* of business time after *start*, aware in ``cal.tz``.

    The earliest instant t >= start with ``business_time_between(start, t) == duration``:
    counting begins at the next opening when *start* is in closed hours; a result on a
    closing instant stays there; a zero duration returns *start* (in ``cal.tz``).
    Exact to the microsecond and O(log n) per call: whole years are skipped by their totals
    and the landing period is found by bisection. Naive *start* or negative *duration*:
    ValueError.
    """
    t = _to_us(start, "start")
    d = duration // _US
    if d < 0:
        raise ValueError("duration must not be negative")
    zone = cal.zone
    if d == 0:
        return start.astimezone(zone)
    if cal.is_24_7:
        return _from_us(t + d, zone)
    src, year = _src(cal, source), _local_year(start, zone)
    table = _year_table(cal, src, year)
    target = table.offset_at(t) + d  # business time from the start of *year* to the due time
    empty_years = 0
    while target > table.total:
        target -= table.total
        empty_years = empty_years + 1 if table.total == 0 else 0
        if empty_years >= _MAX_EMPTY_YEARS:
            raise ValueError(
                f"calendar {cal.name!r} has no opening within {_MAX_EMPTY_YEARS} years"
            )
        year += 1
        table = _year_table(cal, src, year)
    return _from_us(table.instant_at(target), zone)


def business_time_between(
    a: datetime, b: datetime, cal: BusinessCalendar, *, source: HolidaySource | None = None
) -> timedelta:
    """Business time in ``[a, b)``; negative (``-between(b, a)``) when *b* is before *a*.

    The sign lets callers show "overdue by" without a special case. Naive datetimes:
    ValueError.
    """
    ta, tb = _to_us(a, "a"), _to_us(b, "b")
    if tb < ta:
        return -business_time_between(b, a, cal, source=source)
    if cal.is_24_7:
        return timedelta(microseconds=tb - ta)
    src, zone = _src(cal, source), cal.zone
    ya, yb = _local_year(a, zone), _local_year(b, zone)
    total = sum(_year_table(cal, src, y).total for y in range(ya, yb))
    total += _year_table(cal, src, yb).offset_at(tb) - _year_table(cal, src, ya).offset_at(ta)
    return timedelta(microseconds=total)


class BusinessTimeline:
    """Business time on one calendar over a span of local days, on whole seconds since the
    epoch (UTC): the answers of :func:`add_business_time` and :func:`business_time_between`
    (the same definitions, the same tables), without building datetimes, for bulk work such as
    ``kefu seed-bench`` that computes millions of due times. Outside the span it asks those
    functions, so every answer is exact.
    """

    def __init__(
        self,
        cal: BusinessCalendar,
        first: date,
        last: date,
        *,
        source: HolidaySource | None = None,
    ) -> None:
        self.cal, self.source = cal, source
        self.always = cal.is_24_7
        zone = cal.zone
        # Valid for instants from the start of local day *first* to the end of *last*.
        self.lo = _to_us(datetime.combine(first, _MIDNIGHT, zone)) // 1_000_000
        self.hi = _to_us(datetime.combine(last + _DAY, _MIDNIGHT, zone)) // 1_000_000
        src = _src(cal, source)
        intervals: list[tuple[int, int]] = []
        day = first
        while day <= last:
            for s, e in _day_intervals(cal, src, day):
                _append(intervals, s, e)
            day += _DAY
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.cum_end: list[int] = []
        acc = 0
        for s, e in intervals:
            if s % 1_000_000 or e % 1_000_000:  # a zone offset in fractions of a second
                self.lo, self.hi = 0, -1  # nothing in range: every answer is asked of the functions
                break
            s, e = s // 1_000_000, e // 1_000_000
            acc += e - s
            self.starts.append(s)
            self.ends.append(e)
            self.cum_end.append(acc)

    def _offset(self, t: int) -> int:
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum_end[i] - max(0, self.ends[i] - t)

    def add(self, start: int, seconds: int) -> int:
        """``add_business_time`` on epoch seconds: the earliest instant with *seconds* of
        business time since *start*."""
        if seconds <= 0 or self.always:
            if seconds < 0:
                raise ValueError("duration must not be negative")
            return start + seconds
        if self.lo <= start <= self.hi:
            target = self._offset(start) + seconds
            if self.cum_end and target <= self.cum_end[-1]:
                i = bisect_left(self.cum_end, target)
                return self.ends[i] - (self.cum_end[i] - target)
        due = add_business_time(
            datetime.fromtimestamp(start, UTC),
            timedelta(seconds=seconds),
            self.cal,
            source=self.source,
        )
        return _to_us(due) // 1_000_000

    def between(self, a: int, b: int) -> int:
        """``business_time_between`` on epoch seconds (negative when *b* is before *a*)."""
        if self.always:
            return b - a
        if self.lo <= min(a, b) and max(a, b) <= self.hi:
            return self._offset(b) - self._offset(a)
        elapsed = business_time_between(
            datetime.fromtimestamp(a, UTC),
            datetime.fromtimestamp(b, UTC),
            self.cal,
            source=self.source,
        )
        return int(elapsed.total_seconds())


# --------------------------------------------------------------------------- internals


@dataclass(frozen=True)
class _YearTable:
    """One local calendar year as sorted, disjoint UTC-microsecond intervals.

    ``cum_end[i]`` is the business time from the year's start to the end of interval i, so
    a position <-> business-offset conversion is one bisection.
    """

    starts: list[int]
    ends: list[int]
    cum_end: list[int]

    @property
    def total(self) -> int:
        return self.cum_end[-1] if self.cum_end else 0

    def offset_at(self, t: int) -> int:
        """Business time from the year's start to instant *t* (inside or after this year)."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum_end[i] - max(0, self.ends[i] - t)

    def instant_at(self, target: int) -> int:
        """Earliest instant with business offset *target*, for 0 < target <= total."""
        i = bisect_left(self.cum_end, target)  # first interval reaching target: ends stay ends
        return self.ends[i] - (self.cum_end[i] - target)


@lru_cache(maxsize=1024)
def _year_table(cal: BusinessCalendar, src: HolidaySource | None, year: int) -> _YearTable:
    # Built once per (calendar, source, year): ~366 day schedules; every query after is bisection.
    intervals: list[tuple[int, int]] = []
    day, end = date(year, 1, 1), date(year + 1, 1, 1)
    while day < end:
        for s, e in _day_intervals(cal, src, day):
            _append(intervals, s, e)
        day += _DAY
    starts, ends, cum_end, acc = [], [], [], 0
    for s, e in intervals:
        acc += e - s
        starts.append(s)
        ends.append(e)
        cum_end.append(acc)
    return _YearTable(starts, ends, cum_end)


def _day_intervals(
    cal: BusinessCalendar, src: HolidaySource | None, day: date
) -> list[tuple[int, int]]:
    zone = cal.zone
    out: list[tuple[int, int]] = []
    for start, end in _periods_for(cal, src, day):
        end_day = day + _DAY if end == _MIDNIGHT else day
        # fold=0 resolves DST-ambiguous/nonexistent wall times; _append absorbs any overlap.
        _append(
            out,
            _to_us(datetime.combine(day, start, zone)),
            _to_us(datetime.combine(end_day, end, zone)),
        )
    return out


def _periods_for(cal: BusinessCalendar, src: HolidaySource | None, day: date) -> Periods:
    if day in cal.closed_dates:
        return ()
    if cal.always_open:
        return _FULL_DAY
    if (extra := cal.open_dates.get(day)) is not None:
        return extra
    if cal.observe_holidays and src is not None:
        kind = src.day_kind(day)
        if kind == "holiday":
            return ()
        if kind == "makeup_workday":
            return cal.workday_periods or ()
    return cal.weekly[day.weekday()]


def _append(out: list[tuple[int, int]], s: int, e: int) -> None:
    # Keep intervals disjoint and sorted: merge touching ones (12:00-24:00 + 00:00-02:00) and
    # clip overlaps that DST wall-time mapping can create; drop empty ones.
    if out and s <= out[-1][1]:
        if e > out[-1][1]:
            out[-1] = (out[-1][0], e)
    elif e > s:
        out.append((s, e))


def _src(cal: BusinessCalendar, source: HolidaySource | None) -> HolidaySource | None:
    # Calendars that ignore holidays share one cache entry whatever source is passed.
    return (source or CHINESE_HOLIDAYS) if cal.observe_holidays else None


def _to_us(dt: datetime, what: str = "datetime") -> int:
    if not isinstance(dt, datetime):
        raise ValueError(f"{what} must be a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {dt.isoformat()}")
    # Subtracting a UTC epoch forces real (UTC) arithmetic; same-tzinfo subtraction would not.
    return (dt - _EPOCH) // _US


def _from_us(us: int, zone: ZoneInfo) -> datetime:
    return (_EPOCH + timedelta(microseconds=us)).astimezone(zone)


def _local_year(dt: datetime, zone: ZoneInfo) -> int:
    return dt.astimezone(zone).year


def _date(value: date | str, what: str) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{what} takes dates, got {value!r}")
    return value


def _time(value: time | str, what: str) -> time:
    if isinstance(value, str):
        # "24:00" is the end of the day, stored as time(0) (a period cannot end at its own 00:00).
        value = _MIDNIGHT if value in ("24:00", "24:00:00") else time.fromisoformat(value)
    if not isinstance(value, time) or value.tzinfo is not None or value.microsecond:
        raise ValueError(f"{what}: periods take naive wall times in whole seconds, got {value!r}")
    return value


def _periods(value: Iterable[Any], what: str) -> Periods:
    try:
        pairs = [(_time(s, what), _time(e, what)) for s, e in value]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: bad periods {value!r}: {exc}") from exc
    pairs.sort()
    for i, (s, e) in enumerate(pairs):
        if e != _MIDNIGHT and e <= s:
            raise ValueError(f"{what}: period {_hhmm(s)}-{_hhmm(e, True)} ends before it starts")
        if i + 1 < len(pairs) and (e == _MIDNIGHT or pairs[i + 1][0] < e):
            raise ValueError(f"{what}: period {_hhmm(s)}-{_hhmm(e, True)} overlaps the next one")
    return tuple(pairs)


def _hhmm(t: time, end: bool = False) -> str:
    if end and t == _MIDNIGHT:
        return "24:00"
    return t.strftime("%H:%M:%S" if t.second else "%H:%M")


def _periods_out(periods: Periods) -> list[list[str]]:
    return [[_hhmm(s), _hhmm(e, end=True)] for s, e in periods]
