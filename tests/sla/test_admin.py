"""The SLA rules in the admin: calendars (exceptions, the holiday-data warning), policies."""

import datetime

import pytest
from django.utils import translation

from kefu.sla import admin as sla_admin
from kefu.sla.calendar import holiday_data_years
from kefu.sla.models import Calendar, SlaPolicy, SpecialCaseRule

pytestmark = pytest.mark.django_db


def test_seeded_rows_are_in_the_admin(client, users):
    client.force_login(users["admin"])
    assert {"store", "hotline", "backoffice", "always"} <= set(
        Calendar.objects.values_list("name", flat=True)
    )
    assert Calendar.objects.get(serves_cs_department=True).name == "hotline"
    for url in (
        "/admin/sla/calendar/",
        "/admin/sla/slapolicy/",
        "/admin/sla/specialcasetrigger/",
        "/admin/sla/specialcaserule/",
        f"/admin/sla/specialcaserule/{SpecialCaseRule.objects.get(code='media.exposure').pk}/change/",
        "/admin/sla/slaclock/",
        f"/admin/sla/calendar/{Calendar.objects.get(name='backoffice').pk}/change/",
        f"/admin/sla/slapolicy/{SlaPolicy.objects.get(code='complaint').pk}/change/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_admin_says_when_holiday_data_is_missing(client, users, monkeypatch):
    last = holiday_data_years().stop - 1  # the last year chinese-calendar knows
    assert sla_admin.holiday_data_message(datetime.date(last - 1, 3, 1)) is None
    assert str(last + 1) in sla_admin.holiday_data_message(datetime.date(last, 3, 1))
    with translation.override("en"):
        text = sla_admin.holiday_data_message(datetime.date(2040, 1, 1))
    assert "2040, 2041" in text and "fall back to plain weekends" in text
    monkeypatch.setattr(
        sla_admin, "holiday_data_message", lambda today=None: "NO HOLIDAY DATA FOR 2040"
    )
    client.force_login(users["admin"])
    assert "NO HOLIDAY DATA FOR 2040" in client.get("/admin/sla/calendar/").content.decode()


def test_a_policy_edited_in_the_admin_is_validated(client, users):
    client.force_login(users["admin"])
    policy = SlaPolicy.objects.get(code="complaint")
    form = {
        "code": "complaint",
        "name": "投诉",
        "position": 30,
        "is_active": "on",
        "types": ["complaint"],
        "vip": "any",
        "first_response_minutes": 120,
        "first_response_calendar": "nowhere",
        "warn_percent": 75,
        "paused_statuses": ["pending_customer", "on_hold"],
        "escalate_on_breach": "on",
    }
    r = client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", form)
    assert r.status_code == 200 and "nowhere" in r.content.decode()  # refused: unknown calendar
    form["first_response_calendar"] = "hotline"
    r = client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", form)
    assert r.status_code == 302
    policy.refresh_from_db()
    assert (policy.first_response_minutes, policy.first_response_calendar, policy.types) == (
        120,
        "hotline",
        ["complaint"],
    )


def test_a_calendar_with_bad_periods_is_refused(client, users):
    client.force_login(users["admin"])
    r = client.post(
        "/admin/sla/calendar/add/",
        {
            "name": "broken",
            "tz": "Asia/Shanghai",
            "weekly": '{"mon": [["18:00", "09:00"]]}',
            "exceptions-TOTAL_FORMS": 0,
            "exceptions-INITIAL_FORMS": 0,
        },
    )
    assert r.status_code == 200 and not Calendar.objects.filter(name="broken").exists()


def test_the_admin_refuses_a_rule_whose_pattern_does_not_compile(client, users):
    client.force_login(users["admin"])
    rule = SpecialCaseRule.objects.get(code="media.exposure")
    r = client.post(
        f"/admin/sla/specialcaserule/{rule.pk}/change/",
        {
            "code": rule.code,
            "category": rule.category,
            "patterns": "曝光(",
            "context": rule.context,
            "exclusions": rule.exclusions,
            "negatable": "on",
            "note": rule.note,
            "is_active": "on",
        },
    )
    assert r.status_code == 200 and "media.exposure" in r.content.decode()
    rule.refresh_from_db()
    assert rule.patterns != "曝光("
