"""`kefu sla due` and `kefu sla sweep`."""

import json

import pytest
import time_machine

from kefu.cli import main
from tests.factories import open_ticket
from tests.sla.conftest import at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--calendar", "backoffice", "--start", "2026-09-30T17:00+08:00", "--hours", "4"],
            "2026-10-08T12:00:00+08:00",
        ),
        # No offset: read in the calendar's zone. Saturday 2026-10-10 is a 调休 working day.
        (
            ["--calendar", "backoffice", "--start", "2026-10-09T17:00", "--hours", "2"],
            "2026-10-10T10:00:00+08:00",
        ),
        (
            ["--calendar", "backoffice", "--start", "2026-02-13T17:30", "--hours", "1.5"],
            "2026-02-14T10:00:00+08:00",
        ),
        (
            ["--calendar", "store", "--start", "2026-10-01T20:00+08:00", "--hours", "2"],
            "2026-10-02T10:00:00+08:00",
        ),
    ],
)
def test_due_prints_one_iso_line(capsys, args, expected):
    assert main(["sla", "due", *args]) == 0
    assert capsys.readouterr().out == expected + "\n"


def test_due_uses_the_admins_calendar_exceptions(capsys):
    from kefu.sla.models import Calendar, CalendarException

    CalendarException.objects.create(
        calendar=Calendar.objects.get(name="store"), date="2026-10-02", reason="装修"
    )
    assert (
        main(
            [
                "sla",
                "due",
                "--calendar",
                "store",
                "--start",
                "2026-10-01T20:00+08:00",
                "--hours",
                "2",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out == "2026-10-03T10:00:00+08:00\n"


@pytest.mark.parametrize(
    "args",
    [
        ["--calendar", "nowhere", "--start", "2026-10-01T20:00", "--hours", "2"],
        ["--calendar", "store", "--start", "yesterday", "--hours", "2"],
        ["--calendar", "store", "--start", "2026-10-01T20:00", "--hours", "-2"],
    ],
)
def test_due_refuses_bad_input(capsys, args):
    assert main(["sla", "due", *args]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.startswith("kefu sla due:")


def test_sweep_prints_what_it_did(capsys, chain):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        open_ticket(chain["stores"]["SH001"], type="complaint")
    with time_machine.travel(at(2026, 3, 2, 14), tick=False):
        assert main(["sla", "sweep"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["breaches"] == 1 and report["escalations"] == 1 and report["tickets"] == 1
