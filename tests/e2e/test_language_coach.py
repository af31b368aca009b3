"""A real browser: an agent types a forbidden phrase and sees it marked before sending; the send
is refused and nothing reaches the customer."""

import re

import pytest

from kefu.tickets.models import EventKind
from tests.e2e.test_desk_and_portal import login
from tests.factories import CustomerFactory, open_ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_forbidden_phrase_is_marked_while_typing_and_blocked_on_send(page, chain):
    ticket = open_ticket(
        chain["stores"]["SH001"],
        customer=CustomerFactory(name="张伟", gender="male"),
        type="complaint",
    )
    login(page, "staff_sh001")
    page.goto(f"/desk/tickets/{ticket.id}/")
    page.locator("#reply-body").press_sequentially(
        "张先生您好，这是我们公司的规定，我不知道怎么办。", delay=5
    )
    mark = page.locator("[data-testid=finding-mark][data-severity=block]").first
    mark.wait_for()
    marked = {
        m.inner_text()
        for m in page.locator("[data-testid=finding-mark][data-severity=block]").all()
    }
    assert any("规定" in m for m in marked) and any("我不知道" in m for m in marked), marked
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector("[data-testid=finding-mark][data-severity=block]")
    assert not ticket.events.filter(kind=EventKind.REPLY).exists()
    # Rephrased, the same reply goes out.
    page.fill(
        "#reply-body",
        "张先生您好，非常抱歉给您带来不便，我马上为您联系店长，今天下午三点前给您答复。",
    )
    page.wait_for_selector("[data-testid=language-ok], [data-testid=language-report]")
    page.click("#reply-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/desk/tickets/{ticket.id}/$"))
    assert ticket.events.filter(kind=EventKind.REPLY).count() == 1
