"""The check registry: what may refuse a reply or a status change, in one ordered list."""

import pytest

from kefu.errors import InvalidInput
from kefu.tickets import checks, services
from kefu.tickets.models import Status, TicketEvent
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def test_the_registry_names_quality_checks_in_order_and_they_load():
    assert checks.REPLY_CHECKS == ("kefu.quality.checks.forbidden_phrases",)
    assert checks.STATUS_CHECKS == ("kefu.quality.checks.root_cause_recorded",)
    assert all(callable(f) for f in checks._load(checks.REPLY_CHECKS + checks.STATUS_CHECKS))


def test_checks_run_in_registry_order_and_the_first_refusal_stops_the_change(
    chain, users, monkeypatch
):
    ran = []

    def warn(attempt):
        ran.append("warn")
        return [{"code": "hint"}]

    def refuse(attempt):
        ran.append("refuse")
        raise InvalidInput("%(field)s: no", field="body")

    def never(attempt):
        ran.append("never")
        return []

    monkeypatch.setattr(checks, "_load", lambda paths: (warn, refuse, never))
    ticket = open_ticket(chain["stores"]["SH001"])
    with pytest.raises(InvalidInput):
        services.add_reply(actor=users["cs_agent"], ticket=ticket, body="您好")
    assert ran == ["warn", "refuse"]
    assert not TicketEvent.objects.filter(ticket=ticket, kind="reply").exists()


def test_warnings_travel_back_on_the_reply(chain, users, monkeypatch):
    seen = []
    monkeypatch.setattr(
        checks,
        "_load",
        lambda paths: (lambda attempt: seen.append(attempt) or [{"code": "hint"}],),
    )
    ticket = open_ticket(chain["stores"]["SH001"])
    event = services.add_reply(actor=users["cs_agent"], ticket=ticket, body="您好", public=False)
    assert event.warnings == [{"code": "hint"}]
    attempt = seen[0]
    assert isinstance(attempt, checks.ReplyAttempt)
    assert (attempt.body, attempt.public, attempt.actor) == ("您好", False, users["cs_agent"])


def test_every_status_path_runs_the_status_checks(chain, users, monkeypatch):
    """A person's change, the system's reopen and a customer's message that reopens a ticket
    all pass the same checks."""
    moves = []
    monkeypatch.setattr(checks, "_load", lambda paths: (moves.append,))
    ticket = open_ticket(chain["stores"]["SH001"])
    services.change_status(actor=users["cs_agent"], ticket=ticket, status=Status.RESOLVED)
    services.reopen(ticket=ticket, reason="low_score", body="顾客不满意")
    services.change_status(actor=users["cs_agent"], ticket=ticket, status=Status.RESOLVED)
    services.add_customer_message(ticket=ticket, body="还是不行")
    assert [(m.previous, m.status, m.actor) for m in moves] == [
        (Status.NEW, Status.RESOLVED, users["cs_agent"]),
        (Status.RESOLVED, Status.OPEN, None),
        (Status.OPEN, Status.RESOLVED, users["cs_agent"]),
        (Status.RESOLVED, Status.OPEN, None),
    ]
    reopen = TicketEvent.objects.filter(ticket=ticket, kind="status", data__reason="low_score")
    assert reopen.get().public and reopen.get().actor is None
