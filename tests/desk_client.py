"""A test client for the desk that does what the browser does with a ticket page: the page
arrives with a slot for its panels (`<div class="panel-slot" hx-get=…>`), and htmx loads them
by the slot's request and puts them in the slot. Tests read the page as the agent sees it."""

import html
import re

from django.test import Client

PANEL_SLOT = re.compile(r'<div class="panel-slot" hx-get="([^"]+)"[^>]*>.*?</div>', re.S)


def load_panels(client: Client, response):
    """``response`` with each panel slot replaced by what its URL answers (which must be 200:
    panels that fail to load fail the test)."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return response
    text = response.content.decode()
    if 'class="panel-slot"' not in text:
        return response

    def panel(match):
        url = html.unescape(match.group(1))
        answer = Client.get(client, url)
        assert answer.status_code == 200, (url, answer.status_code)
        return answer.content.decode()

    response.content = PANEL_SLOT.sub(panel, text)
    return response


class DeskClient(Client):
    def get(self, path, data=None, follow=False, secure=False, *, panels=True, **extra):
        response = super().get(path, data, follow, secure, **extra)
        return load_panels(self, response) if panels else response
