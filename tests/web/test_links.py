"""No desk page offers a link its reader may not follow.

Every demo user signs in and follows the desk's links (one of each shape: /desk/tickets/N/ once)
three clicks deep over a small demo, and what those pages load by themselves (htmx): each must
answer, never 403 or 404, and say everything in Chinese (two English words in a row, shown or
read out by a screen reader, are a string that escaped translation). A link to a page
outside one's rights (the knowledge base's “Macros” for a QA monitor, say) is a dead end the
user cannot tell from a broken desk."""

import re
from html.parser import HTMLParser

import pytest

from kefu.web.demo import DEMO_USERS

pytestmark = pytest.mark.django_db

# Links that are not pages: signing out, files and exports, a customer's erasure form.
NOT_PAGES = re.compile(r"/logout/|/export|/download/|format=|/erase/|/attachments/|/healthz")
DEPTH, MOST_PAGES = 3, 120


# Two or more English words in a row: an untranslated sentence ("Save view", "No macro
# matches"), not a model name ("Book 14", "Mini LED") or a code.
ENGLISH = re.compile(r"\b[A-Za-z][a-z]{2,}(?:[ ,]+[a-z]{2,})+\b")


class Links(HTMLParser):
    """A page's links (and what it fetches by itself) and the text a reader sees or hears:
    what is shown, placeholders, titles and screen-reader labels."""

    def __init__(self):
        super().__init__()
        self.found, self.text, self._skip = [], [], 0

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre"):
            self._skip -= 1

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "code", "pre"):
            self._skip += 1
        self.text += [attrs.get(a) or "" for a in ("placeholder", "title", "aria-label", "alt")]
        # Links, and what a page fetches by itself once shown (htmx: panels, counters).
        for href in (attrs.get("href") if tag == "a" else None, attrs.get("hx-get")):
            if href and href.startswith("/desk/"):
                self.found.append(href.split("#")[0])


def read(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS])
def test_every_link_a_user_is_shown_opens(demo, username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    shapes, dead, untranslated, visited = set(), [], [], 0
    frontier = ["/desk/"]
    for _ in range(DEPTH):
        following = []
        for url in frontier:
            shape = re.sub(r"\d+", "N", url.split("?")[0]) + ("?" if "?" in url else "")
            if shape in shapes or NOT_PAGES.search(url) or visited >= MOST_PAGES:
                continue
            shapes.add(shape)
            visited += 1
            response = client.get(url, follow=True)
            if response.status_code != 200:
                dead.append((url, response.status_code))
                continue
            if "text/html" in response.get("Content-Type", ""):
                page = read(response.content.decode())
                following += page.found
                english = {m for t in page.text for m in ENGLISH.findall(t)}
                if english:
                    untranslated.append((url, sorted(english)[:5]))
        frontier = following
    assert visited > 3, f"{username} reached almost nothing"
    assert not dead, f"{username} is shown links that do not open: {dead}"
    assert not untranslated, f"{username} reads English on Chinese pages: {untranslated}"
