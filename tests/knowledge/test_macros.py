"""Macros: placeholders filled from a closed vocabulary, actions through the kernel services,
scope, usage counts, and every shipped macro speaks the service language."""

import pytest

from kefu.errors import InvalidInput
from kefu.knowledge import selectors, services
from kefu.knowledge.models import Macro
from kefu.knowledge.templating import render_macro
from kefu.quality import selectors as quality_selectors
from kefu.tickets.models import EventKind, Status
from tests.factories import CustomerFactory, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(chain):
    customer = CustomerFactory(name="王芳", gender="female")
    return open_ticket(chain["stores"]["SH001"], customer=customer)


def test_every_shipped_macro_passes_the_language_checker(ticket, users):
    for macro in Macro.objects.filter(scope="chain"):
        text = services.render_for_ticket(actor=users["cs_agent"], macro=macro, ticket=ticket)
        assert "{{" not in text
        findings = quality_selectors.check_reply(text, ticket=ticket)
        serious = [f for f in findings if f.severity in ("block", "warn")]
        assert not serious, (macro.title, text, serious)


@pytest.mark.parametrize(
    "template",
    [
        "{{ customer.phone }}",  # not in the vocabulary
        "{{ ticket.customer.phone }}",
        "{{ customer.name|upper }}",  # no filters
        "{% load static %}",  # no tags
        "{% if 1 %}x{% endif %}",
        "{{ customer.name",  # unreadable
    ],
)
def test_a_template_outside_the_vocabulary_is_refused(template):
    with pytest.raises(InvalidInput):
        render_macro(template, {})


def test_render_fills_placeholders_and_changes_nothing(api, ticket, users):
    macro = Macro.objects.get(seed_key="first-response")
    version, events = ticket.version, ticket.events.count()
    answer = api("cs_agent").post(
        f"/api/v1/macros/{macro.pk}/render",
        {"ticket_id": ticket.pk},
        content_type="application/json",
    )
    assert answer.status_code == 200
    body = answer.json()["body"]
    assert body.startswith("王女士您好，")
    assert ticket.number in body and "cs_agent" in body
    ticket.refresh_from_db()
    assert (ticket.version, ticket.events.count()) == (version, events)
    macro.refresh_from_db()
    assert macro.usage_count == 0


def test_a_reply_with_a_macro_sends_its_text_and_runs_its_actions(api, ticket):
    macro = Macro.objects.get(seed_key="ask-invoice")
    answer = api("cs_agent").post(
        f"/api/v1/tickets/{ticket.pk}/replies",
        {"macro_id": macro.pk},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["body"].startswith("王女士您好，为了尽快为您确认三包")
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CUSTOMER
    assert [t.name for t in ticket.tags.all()] == ["待发票"]
    macro.refresh_from_db()
    assert macro.usage_count == 1


def test_personal_macros_are_their_owners_own(api, users, ticket):
    mine = services.create_macro(
        actor=users["cs_agent"],
        title="我的开场",
        body="{{ customer.greeting }}，我是{{ agent.name }}。",
    )
    assert selectors.macros_for(users["cs_agent"]).filter(pk=mine.pk).exists()
    assert not selectors.macros_for(users["cs_manager"]).filter(pk=mine.pk).exists()
    listed = api("cs_manager").get("/api/v1/macros").json()["items"]
    assert mine.pk not in [m["id"] for m in listed]
    other = api("cs_manager").post(
        f"/api/v1/macros/{mine.pk}/render",
        {"ticket_id": ticket.pk},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_sharing_a_macro_with_the_store_needs_the_right(users):
    with pytest.raises(Exception) as refused:
        services.create_macro(actor=users["staff_sh001"], title="店内", body="您好", scope="store")
    assert getattr(refused.value, "status", None) == 403
    shared = services.create_macro(
        actor=users["manager_sh001"], title="店内", body="您好", scope="store"
    )
    assert selectors.macros_for(users["staff_sh001"]).filter(pk=shared.pk).exists()
    assert not selectors.macros_for(users["staff_bj001"]).filter(pk=shared.pk).exists()


def test_the_desk_reply_applies_a_macro(desk, ticket):
    macro = Macro.objects.get(seed_key="book-visit")
    answer = desk("cs_agent").post(
        f"/desk/tickets/{ticket.pk}/reply/",
        {"body": "", "public": "1", "macro_id": str(macro.pk), "version": ticket.version},
    )
    assert answer.status_code == 302
    reply = ticket.events.filter(kind="reply").get()
    assert "已为您安排技术人员上门检修" in reply.body
    assert [t.name for t in ticket.tags.all()] == ["上门"]


def test_the_first_response_macro_promises_a_solution_time(api, ticket):
    from django.utils import timezone

    macro = Macro.objects.get(seed_key="first-response")
    rendered = api("cs_agent").post(
        f"/api/v1/macros/{macro.pk}/render",
        {"ticket_id": ticket.pk},
        content_type="application/json",
    )
    promised = services.promise_time(3)
    assert promised.strftime("%Y年%m月%d日 18:00") in rendered.json()["body"]
    answer = api("cs_agent").post(
        f"/api/v1/tickets/{ticket.pk}/replies",
        {"macro_id": macro.pk},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    ticket.refresh_from_db()
    assert timezone.localtime(ticket.solution_promised_at) == promised
    assert ticket.assignee.username == "cs_agent"
    assert ticket.events.filter(kind=EventKind.SOLUTION_TIMETABLE, public=True).count() == 1


def test_a_macro_promises_nothing_on_a_resolved_ticket(api, ticket, users):
    from kefu.tickets import services as ticket_services

    ticket_services.change_status(actor=users["cs_agent"], ticket=ticket, status="resolved")
    ticket.refresh_from_db()
    macro = Macro.objects.get(seed_key="first-response")
    body = services.render_for_ticket(actor=users["cs_agent"], macro=macro, ticket=ticket)
    assert "约定的时间" in body
    answer = api("cs_agent").post(
        f"/api/v1/tickets/{ticket.pk}/replies",
        {"macro_id": macro.pk, "public": False},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    ticket.refresh_from_db()
    assert ticket.solution_promised_at is None
