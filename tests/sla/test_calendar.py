"""Business calendar: opening hours, official holidays, 调休 make-up days and due-time arithmetic.

Dates are pinned to the State Council's 2026 notice as shipped in chinese-calendar:
Spring Festival 2026-02-15..23 off, make-up Saturdays 2026-02-14 and 2026-02-28;
Mid-autumn 2026-09-25..27 off; National Day 2026-10-01..07 off, make-up
Sunday 2026-09-20 and Saturday 2026-10-10.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from kefu.sla.calendar import (
    CHINESE_HOLIDAYS,
    BusinessCalendar,
    BusinessTimeline,
    add_business_time,
    business_time_between,
    calendar_from_dict,
    has_holiday_data,
    holiday_data_years,
    is_open,
    load_seeded,
    next_opening,
    open_periods_on,
)

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)

SEEDED = load_seeded()
STORE, HOTLINE, BACKOFFICE, ALWAYS = (
    SEEDED[n] for n in ("store", "hotline", "backoffice", "always")
)


def at(y, mo, d, hh=0, mm=0, ss=0, us=0, tz=SH):
    return datetime(y, mo, d, hh, mm, ss, us, tzinfo=tz)


def days(start: date, end: date):
    """Dates from start to end inclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


class FakeHolidays:
    """Injected holiday source: listed days have the given kind, others are plain weekdays/ends."""

    def __init__(self, kinds):
        self.kinds = kinds

    def day_kind(self, day):
        return self.kinds.get(day, "weekend" if day.weekday() >= 5 else "workday")


# --------------------------------------------------------------------------- seeded calendars


def test_seeded_calendars_have_the_promised_hours():
    assert set(SEEDED) == {"store", "hotline", "backoffice", "always"}
    assert all(c.tz == "Asia/Shanghai" for c in SEEDED.values())
    assert STORE.weekly == ((((time(9), time(21))),),) * 7
    assert HOTLINE.weekly == ((((time(8), time(22))),),) * 7
    office_day = ((time(9), time(12)), (time(13), time(18)))
    assert BACKOFFICE.weekly == (office_day,) * 5 + ((), ())
    assert BACKOFFICE.workday_periods == office_day
    assert (
        BACKOFFICE.observe_holidays and not STORE.observe_holidays and not HOTLINE.observe_holidays
    )
    assert ALWAYS.always_open


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_seeded_calendar_round_trips_through_dict(name):
    cal = SEEDED[name]
    assert calendar_from_dict(cal.to_dict()) == cal


# --------------------------------------------------------------------------- holiday data 2026


def test_2026_spring_festival_and_its_make_up_saturdays():
    for day in days(date(2026, 2, 15), date(2026, 2, 23)):
        assert CHINESE_HOLIDAYS.day_kind(day) == "holiday", day
    assert CHINESE_HOLIDAYS.day_kind(date(2026, 2, 14)) == "makeup_workday"  # Saturday
    assert CHINESE_HOLIDAYS.day_kind(date(2026, 2, 28)) == "makeup_workday"  # Saturday
    assert CHINESE_HOLIDAYS.day_kind(date(2026, 2, 24)) == "workday"
    assert chinese_calendar.get_holiday_detail(date(2026, 2, 14)) == (False, "Spring Festival")


def test_2026_national_day_mid_autumn_and_make_up_weekend_days():
    for day in days(date(2026, 10, 1), date(2026, 10, 7)) + days(
        date(2026, 9, 25), date(2026, 9, 27)
    ):
        assert CHINESE_HOLIDAYS.day_kind(day) == "holiday", day
    assert CHINESE_HOLIDAYS.day_kind(date(2026, 9, 20)) == "makeup_workday"  # Sunday
    assert CHINESE_HOLIDAYS.day_kind(date(2026, 10, 10)) == "makeup_workday"  # Saturday
    assert CHINESE_HOLIDAYS.day_kind(date(2026, 10, 8)) == "workday"
    assert CHINESE_HOLIDAYS.day_kind(date(2026, 10, 11)) == "weekend"
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 10)) == (False, "National Day")


def test_is_in_lieu_marks_swapped_rest_days_not_make_up_workdays():
    # The trap this module avoids: in chinese_calendar, is_in_lieu() is true for the
    # extra *days off* bought by 调休, never for the make-up *working* days.
    assert chinese_calendar.is_in_lieu(date(2026, 10, 6)) and chinese_calendar.is_in_lieu(
        date(2026, 10, 7)
    )
    assert chinese_calendar.is_in_lieu(date(2026, 2, 20)) and chinese_calendar.is_in_lieu(
        date(2026, 2, 23)
    )
    assert not chinese_calendar.is_in_lieu(date(2026, 10, 10))
    assert not chinese_calendar.is_in_lieu(date(2026, 2, 14))


# --------------------------------------------------------------------------- store / hotline


def test_store_due_time_carries_over_closing_time_to_next_morning():
    assert add_business_time(at(2026, 3, 3, 20, 30), H, STORE) == at(2026, 3, 4, 9, 30)
    assert business_time_between(at(2026, 3, 3, 20, 30), at(2026, 3, 4, 9, 30), STORE) == H


def test_store_due_time_landing_on_closing_time_stays_at_closing_time():
    assert add_business_time(at(2026, 3, 3, 20), H, STORE) == at(2026, 3, 3, 21)


def test_store_closing_instant_is_closed():
    assert is_open(at(2026, 3, 3, 9), STORE)
    assert is_open(at(2026, 3, 3, 20, 59, 59, 999999), STORE)
    assert not is_open(at(2026, 3, 3, 21), STORE)
    assert not is_open(at(2026, 3, 3, 8, 59, 59), STORE)


def test_clock_started_after_closing_starts_at_next_opening():
    assert add_business_time(at(2026, 3, 3, 23, 15), H, STORE) == at(2026, 3, 4, 10)
    assert add_business_time(at(2026, 3, 3, 23, 15), H, HOTLINE) == at(2026, 3, 4, 9)
    assert next_opening(at(2026, 3, 3, 23, 15), STORE) == at(2026, 3, 4, 9)


def test_store_trades_on_national_day():
    assert is_open(at(2026, 10, 1, 10), STORE)
    assert add_business_time(at(2026, 9, 30, 20), 2 * H, STORE) == at(2026, 10, 1, 10)


def test_crossing_new_year_without_holidays():
    assert add_business_time(at(2026, 12, 31, 20, 30), H, STORE) == at(2027, 1, 1, 9, 30)
    # landing on the year's last closing instant stays in the old year
    assert add_business_time(at(2026, 12, 31, 20), H, STORE) == at(2026, 12, 31, 21)
    assert business_time_between(at(2026, 12, 31, 9), at(2027, 1, 2, 9), STORE) == 24 * H


# --------------------------------------------------------------------------- backoffice


def test_backoffice_lunch_break_pauses_the_clock():
    assert add_business_time(at(2026, 3, 3, 11, 30), H, BACKOFFICE) == at(2026, 3, 3, 13, 30)
    assert add_business_time(at(2026, 3, 3, 11), H, BACKOFFICE) == at(2026, 3, 3, 12)
    assert add_business_time(at(2026, 3, 3, 12, 30), 30 * MIN, BACKOFFICE) == at(2026, 3, 3, 13, 30)
    assert business_time_between(at(2026, 3, 3, 11), at(2026, 3, 3, 14), BACKOFFICE) == 2 * H
    assert not is_open(at(2026, 3, 3, 12), BACKOFFICE)
    assert not is_open(at(2026, 3, 3, 12, 59), BACKOFFICE)
    assert is_open(at(2026, 3, 3, 13), BACKOFFICE)
    assert next_opening(at(2026, 3, 3, 12, 10), BACKOFFICE) == at(2026, 3, 3, 13)


def test_backoffice_skips_the_weekend():
    assert add_business_time(at(2026, 3, 6, 17), 2 * H, BACKOFFICE) == at(2026, 3, 9, 10)
    assert business_time_between(at(2026, 3, 6, 17), at(2026, 3, 9, 10), BACKOFFICE) == 2 * H
    assert not is_open(at(2026, 3, 7, 10), BACKOFFICE)
    assert open_periods_on(date(2026, 3, 8), BACKOFFICE) == []
    assert next_opening(at(2026, 3, 7, 10), BACKOFFICE) == at(2026, 3, 9, 9)


def test_backoffice_full_week_is_40_hours():
    assert business_time_between(at(2026, 3, 2), at(2026, 3, 9), BACKOFFICE) == 40 * H


def test_backoffice_national_day_2026():
    # Closed Thu 10-01 .. Wed 10-07; a ticket at 17:00 on 09-30 is due mid-morning on 10-08.
    assert add_business_time(at(2026, 9, 30, 17), 2 * H, BACKOFFICE) == at(2026, 10, 8, 10)
    assert business_time_between(at(2026, 9, 30, 9), at(2026, 10, 9, 9), BACKOFFICE) == 16 * H
    for day in days(date(2026, 10, 1), date(2026, 10, 7)):
        assert open_periods_on(day, BACKOFFICE) == [], day


def test_backoffice_works_the_national_day_make_up_weekend_days():
    assert add_business_time(at(2026, 10, 9, 17, 30), H, BACKOFFICE) == at(2026, 10, 10, 9, 30)
    assert add_business_time(at(2026, 10, 10, 17), 2 * H, BACKOFFICE) == at(2026, 10, 12, 10)
    assert is_open(at(2026, 9, 20, 10), BACKOFFICE)  # make-up Sunday
    assert not is_open(at(2026, 9, 19, 10), BACKOFFICE)  # ordinary Saturday
    assert [(s.time(), e.time()) for s, e in open_periods_on(date(2026, 10, 10), BACKOFFICE)] == [
        (time(9), time(12)),
        (time(13), time(18)),
    ]
    # 09-19 .. 10-12: working days 09-20 (Sun), 09-21..24, 09-28..30, 10-08, 10-09, 10-10 (Sat).
    assert business_time_between(at(2026, 9, 19), at(2026, 10, 12), BACKOFFICE) == 11 * 8 * H


def test_backoffice_mid_autumn_2026():
    assert add_business_time(at(2026, 9, 24, 17), 2 * H, BACKOFFICE) == at(2026, 9, 28, 10)


def test_backoffice_spring_festival_2026():
    assert add_business_time(at(2026, 2, 13, 17), 2 * H, BACKOFFICE) == at(2026, 2, 14, 10)
    assert add_business_time(at(2026, 2, 14, 17), 2 * H, BACKOFFICE) == at(2026, 2, 24, 10)
    assert add_business_time(at(2026, 2, 27, 17, 30), H, BACKOFFICE) == at(2026, 2, 28, 9, 30)
    # 02-14 .. 02-28: working days 02-14 (Sat), 02-24..27, 02-28 (Sat).
    assert business_time_between(at(2026, 2, 14), at(2026, 3, 1), BACKOFFICE) == 6 * 8 * H
    assert not is_open(at(2026, 2, 16, 10), BACKOFFICE)


def test_backoffice_new_year_2026_reopens_on_the_make_up_sunday():
    # 2026-01-01..03 off, Sunday 2026-01-04 is a make-up working day.
    assert add_business_time(at(2025, 12, 31, 17), 2 * H, BACKOFFICE) == at(2026, 1, 4, 10)


def test_make_up_day_uses_the_workday_periods():
    cal = BusinessCalendar(
        "short-makeup",
        weekly=(((time(9), time(18)),),) * 5 + ((), ()),
        observe_holidays=True,
        workday_periods=[("10:00", "16:00")],
    )
    assert [(s.time(), e.time()) for s, e in open_periods_on(date(2026, 10, 10), cal)] == [
        (time(10), time(16))
    ]
    assert open_periods_on(date(2026, 10, 3), cal) == []  # holiday, even though a Saturday


# --------------------------------------------------------------------------- admin exceptions


def test_closed_dates_close_a_store_for_renovation():
    closed = BusinessCalendar(
        "store-renovating",
        weekly=STORE.weekly,
        closed_dates={date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)},
    )
    assert add_business_time(at(2026, 3, 9, 20), 2 * H, closed) == at(2026, 3, 13, 10)
    assert not is_open(at(2026, 3, 11, 12), closed)


def test_closed_date_wins_over_a_make_up_day_and_over_24_7():
    office = BusinessCalendar(
        "office", weekly=BACKOFFICE.weekly, observe_holidays=True, closed_dates={date(2026, 10, 10)}
    )
    assert add_business_time(at(2026, 10, 9, 17, 30), H, office) == at(2026, 10, 12, 9, 30)
    always = BusinessCalendar("always-but-one", always_open=True, closed_dates={date(2026, 3, 4)})
    assert add_business_time(at(2026, 3, 3, 23), 2 * H, always) == at(2026, 3, 5, 1)


def test_open_dates_add_an_extra_opening_even_on_a_holiday():
    cal = BusinessCalendar(
        "office",
        weekly=BACKOFFICE.weekly,
        observe_holidays=True,
        open_dates={date(2026, 3, 8): [("10:00", "14:00")], "2026-10-03": [("09:00", "11:00")]},
    )
    assert add_business_time(at(2026, 3, 6, 17), 3 * H, cal) == at(2026, 3, 8, 12)
    assert is_open(at(2026, 10, 3, 10), cal)
    assert not is_open(at(2026, 10, 3, 11), cal)


# --------------------------------------------------------------------------- years without data


def test_year_without_holiday_data_falls_back_to_weekends():
    assert 2026 in holiday_data_years() and has_holiday_data(2026)
    assert not has_holiday_data(2099)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_holiday(date(2099, 1, 1))
    assert CHINESE_HOLIDAYS.day_kind(date(2099, 1, 1)) == "workday"  # a Thursday, no New Year data
    assert CHINESE_HOLIDAYS.day_kind(date(2099, 1, 3)) == "weekend"
    assert is_open(at(2099, 1, 1, 10), BACKOFFICE)
    assert add_business_time(at(2099, 1, 2, 17), 2 * H, BACKOFFICE) == at(2099, 1, 5, 10)


def test_injected_holiday_source_replaces_the_package():
    fake = FakeHolidays({date(2026, 3, 4): "holiday", date(2026, 3, 7): "makeup_workday"})
    assert add_business_time(at(2026, 3, 3, 17), 2 * H, BACKOFFICE, source=fake) == at(
        2026, 3, 5, 10
    )
    assert is_open(at(2026, 3, 7, 10), BACKOFFICE, source=fake)
    assert not is_open(at(2026, 3, 7, 10), BACKOFFICE)  # the real source still sees a Saturday
    # calendars that ignore holidays ignore the source
    assert is_open(at(2026, 3, 4, 10), STORE, source=fake)


# --------------------------------------------------------------------------- always / midnight


def test_always_open_counts_calendar_hours():
    assert add_business_time(at(2026, 10, 1, 15), 24 * H, ALWAYS) == at(2026, 10, 2, 15)
    assert business_time_between(at(2026, 10, 1), at(2026, 10, 8), ALWAYS) == 7 * 24 * H
    assert is_open(at(2026, 2, 17, 3), ALWAYS)


def test_periods_ending_at_midnight_run_on_into_the_next_day():
    night = BusinessCalendar("night", weekly=((("00:00", "02:00"), ("22:00", "24:00")),) * 7)
    assert night.weekly[0] == ((time(0), time(2)), (time(22), time(0)))
    assert add_business_time(at(2026, 3, 3, 23), 2 * H, night) == at(2026, 3, 4, 1)
    assert is_open(at(2026, 3, 4), night)  # midnight: end of one period, start of the next
    assert night.to_dict()["weekly"]["mon"] == [["00:00", "02:00"], ["22:00", "24:00"]]
    evening = BusinessCalendar("evening", weekly=((("18:00", "24:00"),),) * 7)
    assert add_business_time(at(2026, 3, 3, 23, 30), H, evening) == at(2026, 3, 4, 18, 30)
    assert add_business_time(at(2026, 3, 3, 23), H, evening) == at(2026, 3, 4, 0)  # lands on 24:00
    assert not is_open(at(2026, 3, 4), evening)


# --------------------------------------------------------------------------- edge semantics


def test_zero_duration_returns_start_even_in_closed_hours():
    closed_instant = at(2026, 3, 7, 3, 0, 0, 17)
    assert add_business_time(closed_instant, timedelta(0), BACKOFFICE) == closed_instant
    utc_start = datetime(2026, 3, 3, 2, tzinfo=UTC)
    result = add_business_time(utc_start, timedelta(0), BACKOFFICE)
    assert result == utc_start and result.tzinfo == SH


def test_microseconds_are_kept_and_result_is_in_calendar_zone():
    start = datetime(2026, 3, 3, 1, 0, 0, 1, tzinfo=UTC)  # 09:00:00.000001 in Shanghai
    due = add_business_time(start, H + timedelta(seconds=0.5), BACKOFFICE)
    assert due == at(2026, 3, 3, 10, 0, 0, 500001)
    assert due.tzinfo == SH and due.hour == 10


def test_between_is_negative_when_b_is_before_a():
    a, b = at(2026, 3, 3, 10), at(2026, 3, 4, 11)
    assert business_time_between(a, b, BACKOFFICE) == 9 * H  # 7 h on Tuesday, 2 h on Wednesday
    assert business_time_between(b, a, BACKOFFICE) == -9 * H
    assert business_time_between(a, a, BACKOFFICE) == timedelta(0)


def test_long_durations_span_months():
    # 2000 business hours = 250 backoffice days; through 2026 and into 2027.
    due = add_business_time(at(2026, 1, 5, 9), 2000 * H, BACKOFFICE)
    assert business_time_between(at(2026, 1, 5, 9), due, BACKOFFICE) == 2000 * H
    assert due.year == 2027


def test_naive_datetimes_and_negative_durations_are_refused():
    naive = datetime(2026, 3, 3, 10)
    with pytest.raises(ValueError, match="aware"):
        add_business_time(naive, H, STORE)
    with pytest.raises(ValueError, match="aware"):
        business_time_between(naive, at(2026, 3, 3, 11), STORE)
    with pytest.raises(ValueError, match="aware"):
        business_time_between(at(2026, 3, 3, 11), naive, STORE)
    with pytest.raises(ValueError, match="aware"):
        is_open(naive, STORE)
    with pytest.raises(ValueError, match="aware"):
        next_opening(naive, STORE)
    with pytest.raises(ValueError, match="negative"):
        add_business_time(at(2026, 3, 3, 10), -H, STORE)


def test_calendar_that_never_opens_gives_no_due_time():
    never = BusinessCalendar("never")
    with pytest.raises(ValueError, match="no opening"):
        add_business_time(at(2026, 3, 3), H, never)
    with pytest.raises(ValueError, match="no opening"):
        next_opening(at(2026, 3, 3), never)
    assert business_time_between(at(2026, 3, 3), at(2026, 4, 3), never) == timedelta(0)


# --------------------------------------------------------------------------- DST zones


def test_dst_days_count_real_hours_in_berlin():
    round_the_clock = BusinessCalendar(
        "berlin-24h", tz="Europe/Berlin", weekly=((("00:00", "24:00"),),) * 7
    )
    # Spring forward on 2026-03-29: 24 real hours from Saturday noon end at 13:00 on Sunday.
    sat_noon = at(2026, 3, 28, 12, tz=BERLIN)
    assert add_business_time(sat_noon, 24 * H, round_the_clock) == at(2026, 3, 29, 13, tz=BERLIN)
    ((start, end),) = open_periods_on(date(2026, 3, 29), round_the_clock)
    assert business_time_between(start, end, round_the_clock) == 23 * H
    ((start, end),) = open_periods_on(date(2026, 10, 25), round_the_clock)
    assert business_time_between(start, end, round_the_clock) == 25 * H


def test_dst_office_hours_keep_wall_clock_in_berlin():
    office = BusinessCalendar(
        "berlin-office", tz="Europe/Berlin", weekly=((("09:00", "18:00"),),) * 5 + ((), ())
    )
    due = add_business_time(at(2026, 3, 27, 17, tz=BERLIN), 2 * H, office)
    assert due == at(2026, 3, 30, 10, tz=BERLIN)
    assert due.utcoffset() == 2 * H  # summer time
    assert business_time_between(at(2026, 3, 27, 17, tz=BERLIN), due, office) == 2 * H


def test_dst_gap_shortens_a_period_in_new_york():
    night = BusinessCalendar("ny-night", tz="America/New_York", weekly=((("01:00", "04:00"),),) * 7)
    ((start, end),) = open_periods_on(date(2026, 3, 8), night)
    assert business_time_between(start, end, night) == 2 * H
    assert add_business_time(at(2026, 3, 8, 1, tz=NEW_YORK), 2 * H, night) == at(
        2026, 3, 8, 4, tz=NEW_YORK
    )


# --------------------------------------------------------------------------- definitions & data


def test_calendars_are_immutable_hashable_values():
    a = BusinessCalendar(
        "x", weekly=STORE.weekly, open_dates={date(2026, 3, 8): [("10:00", "12:00")]}
    )
    b = BusinessCalendar("x", weekly=STORE.weekly)
    assert a != b and a == BusinessCalendar(
        "x", weekly=STORE.weekly, open_dates={"2026-03-08": [["10:00", "12:00"]]}
    )
    assert {a: 1, b: 2}[a] == 1
    with pytest.raises(TypeError):
        a.open_dates[date(2026, 3, 9)] = ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekly": [[("09:00", "12:00"), ("11:00", "13:00")]] * 7}, "overlaps"),
        ({"weekly": [[("18:00", "09:00")]] * 7}, "ends before it starts"),
        ({"weekly": [[("09:00", "18:00")]] * 6}, "7 entries"),
        ({"weekly": [[("9 o'clock", "18:00")]] * 7}, "bad periods"),
        ({"tz": "Asia/Beijing"}, "unknown time zone"),
        (
            {"closed_dates": {date(2026, 3, 8)}, "open_dates": {date(2026, 3, 8): []}},
            "both closed and opened",
        ),
        ({"always_open": True, "weekly": [[("09:00", "18:00")]] * 7}, "always_open"),
        ({"closed_dates": {datetime(2026, 3, 8, tzinfo=SH)}}, "takes dates"),
    ],
)
def test_invalid_calendars_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar("bad", **kwargs)


def test_calendar_from_dict_refuses_typos():
    with pytest.raises(ValueError, match="unknown calendar keys: observe_holiday"):
        calendar_from_dict({"name": "x", "observe_holiday": True})
    with pytest.raises(ValueError, match="unknown weekday names: monday"):
        calendar_from_dict({"name": "x", "weekly": {"monday": [["09:00", "18:00"]]}})


def test_calendar_from_dict_full_form():
    cal = calendar_from_dict(
        {
            "name": "kiosk",
            "tz": "Asia/Urumqi",
            "weekly": {"sat": [["10:00", "12:30:30"]]},
            "closed_dates": ["2026-03-14"],
            "open_dates": {"2026-03-16": [["08:00", "09:00"]]},
        }
    )
    assert cal.weekly[5] == ((time(10), time(12, 30, 30)),) and cal.weekly[0] == ()
    assert cal.closed_dates == {date(2026, 3, 14)}
    assert calendar_from_dict(cal.to_dict()) == cal
    assert cal.to_dict()["weekly"]["sat"] == [["10:00", "12:30:30"]]


# --------------------------------------------------------------------------- bulk timeline


@pytest.mark.parametrize(
    "cal",
    [
        STORE,
        HOTLINE,
        BACKOFFICE,
        ALWAYS,
        BusinessCalendar(
            "renovated",
            weekly=[[("09:00", "12:00"), ("13:00", "24:00")]] * 7,
            closed_dates={date(2026, 9, 30)},
            open_dates={date(2026, 10, 3): [("10:00", "11:00")]},
            observe_holidays=True,
        ),
        BusinessCalendar("berlin", tz="Europe/Berlin", weekly=[[("08:00", "20:00")]] * 7),
    ],
    ids=lambda c: c.name,
)
def test_the_bulk_timeline_answers_as_add_business_time(cal):
    """seed-bench's due times (whole seconds) equal what add_business_time gives, inside the
    span, across its ends (asked of the functions) and over holidays and 调休 (2026 autumn)."""
    import random

    timeline = BusinessTimeline(cal, date(2026, 9, 1), date(2026, 11, 15))
    rng = random.Random(7)
    start = int(at(2026, 8, 25).timestamp())
    end = int(at(2026, 11, 25).timestamp())
    probes = [int(at(2026, 9, 30, 21).timestamp()), int(at(2026, 10, 8, 9).timestamp())]
    probes += [rng.randrange(start, end) for _ in range(1500)]
    for t in probes:
        for seconds in (0, 60, 3600, 5400, 4 * 3600, 86400, 3 * 86400, 302400, 604800):
            seconds += rng.choice((0, 0, 17))
            due = add_business_time(datetime.fromtimestamp(t, UTC), timedelta(seconds=seconds), cal)
            assert timeline.add(t, seconds) == int(due.timestamp()), (t, seconds)
        u = t + rng.randrange(0, 20 * 86400)
        between = business_time_between(
            datetime.fromtimestamp(t, UTC), datetime.fromtimestamp(u, UTC), cal
        )
        assert timeline.between(t, u) == between.total_seconds()
        assert timeline.between(u, t) == -between.total_seconds()
