"""The kernel every app writes through: one timeline writer, one lock, one version rule."""

import datetime

import pytest
from django.utils import timezone

from kefu.errors import StaleWrite
from kefu.tickets import timeline
from kefu.tickets.models import Ticket
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def test_an_event_moves_the_ticket_on_but_not_its_version(chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    Ticket.objects.filter(pk=ticket.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=1)
    )
    version = Ticket.objects.get(pk=ticket.pk).version
    event = timeline.record_event(
        ticket, "order_created", None, body="换货单已创建", kind="exchange"
    )
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.updated_at == event.created_at and stored.version == version
    # data may carry its own "kind": the event's kind is the positional one
    assert event.kind == "order_created" and event.data == {"kind": "exchange"}
    assert not event.public


def test_touch_false_leaves_updated_at_to_the_caller(chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    before = timezone.now() - datetime.timedelta(days=1)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=before)
    timeline.record_event(ticket, "note", None, body="内部备注", touch=False)
    assert Ticket.objects.get(pk=ticket.pk).updated_at == before


def test_save_ticket_bumps_the_version_and_writes_only_its_fields(chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    locked = timeline.lock_ticket(ticket)
    locked.subject = "改过的标题"  # not saved: not named
    locked.priority = "high"
    timeline.save_ticket(locked, "priority")
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.version == ticket.version + 1 and stored.priority == "high"
    assert stored.subject == ticket.subject


def test_a_stale_version_is_refused_and_the_current_one_accepted(chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    with pytest.raises(StaleWrite) as err:
        timeline.lock_ticket(ticket.pk, ticket.version - 1)
    assert err.value.status == 409 and err.value.code == "stale"
    assert "第 0 版，现在是第 1 版" in err.value.text()  # zh-hans first, with both versions
    assert timeline.lock_ticket(ticket.pk, ticket.version).pk == ticket.pk
    assert timeline.lock_ticket(ticket, None).pk == ticket.pk


def test_several_tickets_lock_in_primary_key_order(chain):
    a, b, c = (open_ticket(chain["stores"]["SH001"]) for _ in range(3))
    assert [t.pk for t in timeline.lock_tickets([c.pk, a.pk, b.pk])] == [a.pk, b.pk, c.pk]


def test_many_events_in_one_insert_touch_their_tickets_once(chain, django_assert_num_queries):
    from kefu.tickets.models import TicketEvent

    a, b = (open_ticket(chain["stores"]["SH001"]) for _ in range(2))
    old = timezone.now() - datetime.timedelta(days=1)
    Ticket.objects.filter(pk__in=[a.pk, b.pk]).update(updated_at=old)
    rows = [TicketEvent(ticket_id=t.pk, kind="followup_created", body="回访") for t in (a, b, a)]
    # One INSERT, one UPDATE, and one INSERT of the report facts' stale marks (kefu.analytics
    # listens to events_recorded).
    with django_assert_num_queries(3):
        timeline.record_events(rows)
    assert all(t.updated_at > old for t in Ticket.objects.filter(pk__in=[a.pk, b.pk]))
    timeline.record_events([TicketEvent(ticket_id=b.pk, kind="sla_warning")], touch=False)
    assert TicketEvent.objects.filter(kind__in=["followup_created", "sla_warning"]).count() == 4


def test_the_api_answers_a_long_timeline_in_pages(api, chain, users, monkeypatch):
    """A ticket's answer carries its newest events (oldest first) and says how many it leaves
    out; /timeline pages back through the rest, each event exactly once."""
    from kefu.tickets import api as tickets_api
    from kefu.tickets import services

    monkeypatch.setattr(tickets_api, "DETAIL_EVENTS", 3)
    ticket = open_ticket(chain["stores"]["SH001"])
    for i in range(4):
        services.add_reply(
            actor=users["cs_agent"], ticket=ticket, body=f"跟进记录 {i}", public=False
        )
    all_ids = list(ticket.events.order_by("id").values_list("id", flat=True))
    assert len(all_ids) >= 5
    body = api("cs_agent").get(f"/api/v1/tickets/{ticket.pk}").json()
    assert [e["id"] for e in body["timeline"]] == all_ids[-3:]
    assert body["timeline_older"] == len(all_ids) - 3
    seen = [e["id"] for e in body["timeline"]]
    nxt = body["timeline_next"]
    while nxt:
        page = api("cs_agent").get(nxt + "&limit=2").json()
        seen = [e["id"] for e in page["items"]] + seen
        nxt = page["next"]
    assert seen == all_ids
    # Outside the reader's scope: the ticket's timeline is as missing as the ticket.
    assert api("staff_bj001").get(f"/api/v1/tickets/{ticket.pk}/timeline").status_code == 404
    short = open_ticket(chain["stores"]["SH001"])
    body = api("cs_agent").get(f"/api/v1/tickets/{short.pk}").json()
    assert body["timeline_older"] == 0 and body["timeline_next"] is None
    assert body["timeline"][0]["kind"] == "created"
