"""Property tests for business-time arithmetic, on every seeded calendar plus DST and exception
calendars, checked against a slow day-by-day reference implementation.

Precise statements (s = start, d >= 0, r = add_business_time(s, d), s' = next_opening(s)):
- between(s, r) == d, and for d > 0 also between(s', r) == d and s <= s' <= r
  (closed time before the first opening counts nothing).
- r is the earliest such instant: for d > 0, between(s, r - 1 µs) < d.
- for d > 0, r is never inside closed hours: r is open or exactly the end of a period.
- d1 <= d2 implies add(s, d1) <= add(s, d2); add(add(s, d1), d2) == add(s, d1 + d2).
"""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.sla.calendar import (
    BusinessCalendar,
    add_business_time,
    business_time_between,
    is_open,
    load_seeded,
    next_opening,
    open_periods_on,
)

US = timedelta(microseconds=1)
MAX_DURATION = timedelta(hours=500)

SEEDED = load_seeded()
BERLIN = BusinessCalendar(
    "berlin-dst",
    tz="Europe/Berlin",
    # 01:00-03:30 straddles both DST switches (02:00->03:00 in March, 03:00->02:00 in October).
    weekly=((("01:00", "03:30"), ("08:00", "12:00"), ("13:00", "24:00")),) * 6
    + ((("01:00", "03:30"),),),
)
EXCEPTIONS = BusinessCalendar(
    "backoffice-with-exceptions",
    weekly=SEEDED["backoffice"].weekly,
    observe_holidays=True,
    closed_dates={date(2026, 3, 4), date(2026, 10, 10), date(2027, 1, 4)},
    open_dates={date(2026, 3, 8): [("10:00", "14:00")], date(2026, 10, 3): [("00:00", "24:00")]},
)
CALENDARS = [*SEEDED.values(), BERLIN, EXCEPTIONS]
BOUNDARIES = [
    time(h, m)
    for h, m in [
        (0, 0),
        (1, 0),
        (3, 30),
        (8, 0),
        (9, 0),
        (12, 0),
        (13, 0),
        (14, 0),
        (18, 0),
        (21, 0),
        (22, 0),
    ]
]

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instants(draw, cal):
    """Random instants 2025-06 .. 2027-06 (2027 has no holiday data), biased to period edges."""
    if draw(st.booleans()):
        naive = draw(st.datetimes(min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 30)))
        return naive.replace(tzinfo=UTC).astimezone(cal.zone)
    day = draw(st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 6, 30)))
    wall = datetime.combine(day, draw(st.sampled_from(BOUNDARIES)), cal.zone)
    return wall + draw(st.sampled_from([-US, timedelta(0), US, -timedelta(seconds=1)]))


durations = st.one_of(
    st.integers(0, MAX_DURATION // US).map(lambda us: timedelta(microseconds=us)),
    st.integers(0, 500).map(lambda h: timedelta(hours=h)),
    st.sampled_from(
        [timedelta(0), US, timedelta(hours=3), timedelta(hours=8), timedelta(hours=12)]
    ),
)


@st.composite
def cases(draw):
    cal = draw(st.sampled_from(CALENDARS))
    return cal, draw(instants(cal))


def is_period_end(t, cal):
    local_day = t.astimezone(cal.zone).date()
    return any(
        end == t
        for day in (local_day - timedelta(days=1), local_day)
        for _, end in open_periods_on(day, cal)
    )


def reference_add(start, duration, cal):
    """Walk day by day over open_periods_on, in UTC; slow but obviously right."""
    if not duration:
        return start
    remaining, t0 = duration, start.astimezone(UTC)
    day = start.astimezone(cal.zone).date() - timedelta(days=1)
    while True:
        for s, e in open_periods_on(day, cal):
            s, e = max(s.astimezone(UTC), t0), e.astimezone(UTC)
            if e > s:
                if e - s >= remaining:
                    return (s + remaining).astimezone(cal.zone)
                remaining -= e - s
        day += timedelta(days=1)


def reference_between(a, b, cal):
    if b < a:
        return -reference_between(b, a, cal)
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    total, day = timedelta(0), a.astimezone(cal.zone).date() - timedelta(days=1)
    while day <= b.astimezone(cal.zone).date():
        for s, e in open_periods_on(day, cal):
            s, e = max(s.astimezone(UTC), a), min(e.astimezone(UTC), b)
            total += max(e - s, timedelta(0))
        day += timedelta(days=1)
    return total


@SETTINGS
@given(cases(), durations)
def test_adding_then_measuring_returns_the_duration(case, duration):
    cal, start = case
    due = add_business_time(start, duration, cal)
    assert due.tzinfo == cal.zone
    assert business_time_between(start, due, cal) == duration
    if duration:
        clock_start = next_opening(start, cal)
        assert start <= clock_start <= due
        assert business_time_between(clock_start, due, cal) == duration


@SETTINGS
@given(cases(), durations)
def test_due_time_is_the_earliest_instant(case, duration):
    cal, start = case
    due = add_business_time(start, duration, cal)
    if duration:
        assert business_time_between(start, due - US, cal) < duration
    else:
        assert due == start


@SETTINGS
@given(cases(), durations.filter(bool))
def test_due_time_is_never_inside_closed_hours(case, duration):
    cal, start = case
    due = add_business_time(start, duration, cal)
    assert is_open(due, cal) or is_period_end(due, cal)


@SETTINGS
@given(cases(), durations, durations)
def test_longer_duration_is_due_no_earlier(case, d1, d2):
    cal, start = case
    short, long = sorted([d1, d2])
    assert add_business_time(start, short, cal) <= add_business_time(start, long, cal)


@SETTINGS
@given(cases(), durations, durations)
def test_adding_in_two_steps_equals_adding_once(case, d1, d2):
    cal, start = case
    assert add_business_time(add_business_time(start, d1, cal), d2, cal) == add_business_time(
        start, d1 + d2, cal
    )


@SETTINGS
@given(cases(), durations)
def test_matches_the_day_by_day_reference(case, duration):
    cal, start = case
    due = add_business_time(start, duration, cal)
    assert due == reference_add(start, duration, cal)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_between_matches_reference_and_splits_add_up(data):
    cal = data.draw(st.sampled_from(CALENDARS))
    a, b, c = (data.draw(instants(cal)) for _ in range(3))
    assert business_time_between(a, b, cal) == reference_between(a, b, cal)
    assert business_time_between(a, b, cal) == -business_time_between(b, a, cal)
    assert business_time_between(a, b, cal) + business_time_between(
        b, c, cal
    ) == business_time_between(a, c, cal)


@SETTINGS
@given(cases())
def test_is_open_agrees_with_open_periods(case):
    cal, t = case
    local_day = t.astimezone(cal.zone).date()
    in_a_period = any(
        s <= t < e
        for day in (local_day - timedelta(days=1), local_day)
        for s, e in open_periods_on(day, cal)
    )
    assert is_open(t, cal) == in_a_period
