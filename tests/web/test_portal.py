import pytest
from django.core.cache import cache

from kefu.tickets import services
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db

FORM = {
    "type": "fault_report",
    "store": "SH001",
    "name": "李娜",
    "phone": "13612345678",
    "gender": "female",
    "subject": "冰箱不制冷",
    "description": "冷藏室不凉了",
    "consent": "1",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def test_customer_submits_and_gets_number_and_private_link(client, chain):
    r = client.post("/", FORM)
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    assert r["Location"] == f"/t/{ticket.tracking_token}/" and len(ticket.tracking_token) >= 32
    page = client.get(r["Location"])
    html = page.content.decode()
    assert ticket.number in html and 'data-testid="submitted"' in html
    assert (
        page["Referrer-Policy"] == "same-origin"
        and "136****5678" in html
        and "13612345678" not in html
    )
    assert ticket.channel == "web" and ticket.customer.honorific == "李女士"


def test_customer_sees_public_replies_only_and_can_answer(client, chain, users):
    client.post("/", FORM)
    ticket = Ticket.objects.get()
    services.add_reply(actor=users["staff_sh001"], ticket=ticket, body="李女士您好，师傅明天上门。")
    services.add_reply(
        actor=users["staff_sh001"], ticket=ticket, body="内部：配件缺货", public=False
    )
    html = client.get(f"/t/{ticket.tracking_token}/").content.decode()
    assert "师傅明天上门" in html and "配件缺货" not in html
    assert client.post(f"/t/{ticket.tracking_token}/", {"body": "好的，谢谢"}).status_code == 302
    assert ticket.events.filter(kind="customer_message", body="好的，谢谢").exists()


def test_unknown_tracking_token_is_404(client, chain):
    assert client.get("/t/not-a-real-token/").status_code == 404


def test_bad_submission_changes_nothing(client, chain):
    r = client.post("/", {**FORM, "phone": "12345"})
    assert r.status_code == 422 and Ticket.objects.count() == 0
    r = client.post("/", {**FORM, "consent": ""})
    assert r.status_code == 422 and Ticket.objects.count() == 0
    r = client.post("/", {**FORM, "type": "order"})  # not offered on the portal
    assert r.status_code == 422


def test_rate_limit_per_address(client, chain, settings):
    settings.KEFU_PORTAL_SUBMISSIONS_PER_HOUR = 2
    assert client.post("/", FORM).status_code == 302
    assert client.post("/", FORM).status_code == 302
    r = client.post("/", FORM)
    assert r.status_code == 429 and Ticket.objects.count() == 2


def test_closed_ticket_takes_no_more_messages(client, chain, users):
    client.post("/", FORM)
    ticket = Ticket.objects.get()
    for status in ("resolved", "closed"):
        services.change_status(actor=users["cs_agent"], ticket=ticket, status=status)
    r = client.post(f"/t/{ticket.tracking_token}/", {"body": "又坏了"})
    assert r.status_code == 409 and "新的请求" in r.content.decode()


def test_the_portal_preselects_neither_a_store_nor_an_address(client, chain):
    """A careless customer must not be addressed as 先生 or filed under the first store."""
    import re

    page = client.get("/").content.decode()
    store = re.search(r'<select name="store"[^>]*>(.*?)</select>', page, re.S).group(1)
    gender = re.search(r'<select name="gender"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.search(r'<option value=""\s+selected\s+disabled>请选择门店', store)
    assert re.search(r'<option value=""\s+selected\s+disabled>请选择', gender)
    assert store.count("selected") == 1 and gender.count("selected") == 1


@pytest.mark.parametrize(
    ("missing", "message"), [("gender", "请选择我们如何称呼您"), ("store", "请选择门店")]
)
def test_the_address_and_the_store_are_explicit_choices(client, chain, missing, message):
    r = client.post("/", {**FORM, missing: ""}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 422 and Ticket.objects.count() == 0
    assert message in r.content.decode()


def test_a_long_conversation_shows_its_newest_messages_and_the_rest_on_request(
    client, chain, users, monkeypatch
):
    from kefu.tickets import selectors

    monkeypatch.setattr(selectors, "PORTAL_EVENTS", 2)
    client.post("/", FORM)
    ticket = Ticket.objects.get()
    for i in range(4):
        services.add_reply(actor=users["staff_sh001"], ticket=ticket, body=f"第{i}次答复您")
    services.add_reply(actor=users["staff_sh001"], ticket=ticket, body="内部备注", public=False)
    html = client.get(f"/t/{ticket.tracking_token}/").content.decode()
    assert "第3次答复您" in html and "第2次答复您" in html and "第1次答复您" not in html
    older = ticket.events.filter(public=True).count() - 2
    assert f"显示更早的 {older} 条记录" in html and "内部备注" not in html
    everything = client.get(f"/t/{ticket.tracking_token}/?all=1").content.decode()
    assert "第0次答复您" in everything and 'data-testid="earlier"' not in everything
    assert "内部备注" not in everything
