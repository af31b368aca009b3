"""Login throttling on the desk and the admin (item 3), the tracking page's message limit and
the trusted-proxy setting (item 7)."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client, override_settings

from kefu.tickets.models import EventKind, Ticket
from tests.web.test_portal import FORM

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


def sign_in(client, url, username, password, address="10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize("url", ["/desk/login/", "/admin/login/"])
def test_wrong_passwords_lock_the_username_and_the_right_one_no_longer_works(url, users):
    users["admin"].set_password("right-password-1")
    users["admin"].save()
    client = Client()
    for _ in range(4):
        r = sign_in(client, url, "admin", "wrong")
        assert r.status_code == 200
    # The fifth wrong password locks; then even the right one is refused.
    assert sign_in(client, url, "admin", "wrong").status_code == 429
    r = sign_in(client, url, "admin", "right-password-1")
    # The login form itself, with the reason, in Chinese: not a redirect into the desk.
    assert r.status_code == 429 and r["Retry-After"] == "900"
    html = r.content.decode()
    assert LOCKED in html and "15 分钟" in html and 'name="password"' in html
    assert "_auth_user_id" not in client.session
    # From another address too: the username itself is locked.
    assert sign_in(Client(), url, "admin", "right-password-1", "10.9.9.9").status_code == 429
    # Audit: every failure is on record.
    assert AccessFailureLog.objects.filter(username="admin").count() >= 5


def test_one_address_trying_many_usernames_is_locked(users):
    client = Client()
    for name in ["a1", "a2", "a3", "a4", "a5"]:  # five usernames, one wrong password each
        sign_in(client, "/desk/login/", name, "wrong", "10.0.0.7")
    users["cs_agent"].set_password("right-password-1")
    users["cs_agent"].save()
    r = sign_in(client, "/desk/login/", "cs_agent", "right-password-1", "10.0.0.7")
    assert r.status_code == 429 and LOCKED in r.content.decode()
    # Someone else, elsewhere, signs in.
    r = sign_in(Client(), "/desk/login/", "cs_agent", "right-password-1", "10.0.0.8")
    assert r.status_code == 302 and r["Location"].startswith("/desk/")


def test_the_admin_unlocks_a_locked_username(users):
    users["cs_agent"].set_password("right-password-1")
    users["cs_agent"].save()
    for _ in range(5):
        sign_in(Client(), "/desk/login/", "cs_agent", "wrong")
    assert sign_in(Client(), "/desk/login/", "cs_agent", "right-password-1").status_code == 429
    admin = Client()
    admin.force_login(users["admin"])
    attempts = AccessAttempt.objects.filter(username="cs_agent")
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "cs_agent" in listing.content.decode()
    r = admin.post(
        "/admin/axes/accessattempt/",
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in attempts],
            "post": "yes",
        },
    )
    assert r.status_code == 302, r.content
    assert not AccessAttempt.objects.filter(username="cs_agent").exists()
    assert sign_in(Client(), "/desk/login/", "cs_agent", "right-password-1").status_code == 302


def test_lockout_speaks_english_on_request(users):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(6):
        r = client.post(
            "/desk/login/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert r.status_code == 429 and "Too many failed sign-ins" in r.content.decode()


@override_settings(KEFU_PORTAL_MESSAGES_PER_HOUR=3)
def test_tracking_page_messages_are_rate_limited(client, chain):
    client.post("/", FORM)
    ticket = Ticket.objects.get()
    url = f"/t/{ticket.tracking_token}/"
    for i in range(3):
        assert client.post(url, {"body": f"第{i}条"}).status_code == 302
    r = client.post(url, {"body": "第4条"})
    assert r.status_code == 429 and "消息过多" in r.content.decode()
    messages = ticket.events.filter(kind=EventKind.CUSTOMER_MESSAGE)
    assert messages.count() == 3


@override_settings(KEFU_PORTAL_MESSAGES_PER_HOUR=2)
@pytest.mark.parametrize(
    ("proxies", "same_bucket"),
    [(0, True), (1, False)],
    ids=["no trusted proxy: the header is ignored", "behind nginx: per customer"],
)
def test_trusted_proxy_count_decides_whose_address_counts(client, chain, proxies, same_bucket):
    client.post("/", FORM)
    url = f"/t/{Ticket.objects.get().tracking_token}/"
    with override_settings(KEFU_TRUSTED_PROXIES=proxies):
        for n in range(3):
            # Three customers behind one nginx (127.0.0.1); the first entry is forged.
            r = client.post(
                url,
                {"body": "您好"},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR=f"6.6.6.6, 203.0.113.{n}",
            )
    assert (r.status_code == 429) is same_bucket


def test_a_forged_forwarded_entry_does_not_escape_the_limit(chain):
    from django.test import RequestFactory

    from kefu.web.portal_page import client_address

    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9"
    )
    with override_settings(KEFU_TRUSTED_PROXIES=1):
        assert client_address(request) == "198.51.100.9"
    with override_settings(KEFU_TRUSTED_PROXIES=2):
        assert client_address(request) == "1.2.3.4"
    with override_settings(KEFU_TRUSTED_PROXIES=3):  # fewer hops than proxies: the connection
        assert client_address(request) == "127.0.0.1"


def test_an_address_that_is_not_one_falls_back_to_the_connection(chain):
    from django.test import RequestFactory

    from kefu.web.portal_page import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="x, ' or 1")
    with override_settings(KEFU_TRUSTED_PROXIES=1):
        assert client_ip(request) == "127.0.0.1"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="")) is None


@override_settings(KEFU_TRUSTED_PROXIES=1)
def test_a_forged_forwarded_address_cannot_break_the_login(users):
    """PostgreSQL stores the address in an inet column: anything but an address would be a 500."""
    r = Client().post(
        "/desk/login/",
        {"username": "cs_agent", "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert r.status_code == 200
    assert AccessFailureLog.objects.get().ip_address == "127.0.0.1"
