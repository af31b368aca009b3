"""No form of the desk or the portal breaks on empty or nonsense input.

Every demo user opens the desk's pages (one of each shape, two clicks deep over a small demo)
and sends each form on them (the filters' too) as a hurried user would: every visible field
empty, then filled with nonsense. Each answer must be a page or a redirect with the reason,
never a server error (500). A customer does the same on the portal's pages. About 1,000
submissions over the 14 roles and 28 on the portal; the first run found the parts page's stock
form answering 500 to a part that was not a number."""

import re
from html.parser import HTMLParser

import pytest

from kefu.web.demo import DEMO_USERS

pytestmark = pytest.mark.django_db

NOT_PAGES = re.compile(r"/logout/|/export|/download/|format=|/attachments/|/healthz")
# The customer's side: every same-site address but the desk's, the admin's, the API's and files.
PORTAL = re.compile(r"/(?!desk/|admin/|api/|static/|media/|i18n/)")
NONSENSE = "\x7f<script>x</script>' OR 1=1 -- 99999999999999999999 ９９ -1 2026-13-45"


class Forms(HTMLParser):
    """The page's forms (action, method, fields with their given values) and its links within
    the site: the desk's for staff, the portal's for a customer."""

    def __init__(self, desk: bool):
        super().__init__()
        self.desk, self.forms, self.links, self._form = desk, [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        href = attrs.get("href") or "" if tag == "a" else ""
        if href.startswith("/desk/") if self.desk else PORTAL.match(href):
            self.links.append(href.split("#")[0])
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = {"action": attrs.get("action") or "", "method": method}
            self._form.update(hidden={}, fields=set())
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea"):
            name = attrs.get("name")
            if not name or attrs.get("type") in ("submit", "button", "file"):
                return
            if attrs.get("type") == "hidden":
                self._form["hidden"][name] = attrs.get("value") or ""
            else:
                self._form["fields"].add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def send_every_form(client, start: list[str], desk: bool, depth: int = 2):
    """Opens the pages from `start`, one of each shape, `depth` clicks deep, and sends each
    form on them empty and with nonsense: (forms sent, [(page, action, value, status)] of the
    answers that were server errors)."""
    shapes, broken, sent = set(), [], 0
    frontier = start
    for _ in range(depth):
        following = []
        for url in frontier:
            shape = re.sub(r"\d+", "N", url.split("?")[0])
            if shape in shapes or NOT_PAGES.search(url):
                continue
            shapes.add(shape)
            page = client.get(url, follow=True)
            if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
                continue
            parsed = Forms(desk)
            parsed.feed(page.content.decode())
            following += parsed.links
            for form in parsed.forms:
                action = form["action"] or url
                if NOT_PAGES.search(action) or "/login/" in action:
                    continue
                send = client.post if form["method"] == "post" else client.get
                for value in ("", NONSENSE):
                    data = {**form["hidden"], **dict.fromkeys(form["fields"], value)}
                    answer = send(action, data)
                    sent += 1
                    if answer.status_code >= 500:
                        broken.append((url, action, repr(value[:12]), answer.status_code))
        frontier = following
    return sent, broken


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS])
def test_every_form_refuses_bad_input_without_a_server_error(demo, username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=username))
    sent, broken = send_every_form(client, ["/desk/"], desk=True)
    assert sent >= 20, f"{username} met almost no form ({sent} sent)"
    assert not broken, f"{username}: {broken}"


def test_the_portals_forms_refuse_bad_input_without_a_server_error(demo):
    from django.test import Client

    from kefu.tickets.models import Ticket

    token = Ticket.objects.order_by("-id").values_list("tracking_token", flat=True).first()
    start = ["/", "/help/", "/feedback/", "/warranty/", "/find/", f"/t/{token}/"]
    sent, broken = send_every_form(Client(raise_request_exception=False), start, desk=False)
    assert sent >= 10, f"the portal showed almost no form ({sent} sent)"
    assert not broken, broken
