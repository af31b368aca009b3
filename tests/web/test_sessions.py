"""Desk sessions in the database (kefu.web.sessions): the same sessions accepted and refused
as Django's own store — a live one signs the user in, an expired, unknown or malformed one
does not, signing out ends it — and the session is read without compiling SQL again."""

import datetime
import os

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(bool(os.environ.get("REDIS_URL")), reason="sessions live in Redis"),
]

QUEUE = "/desk/?view=open"


@pytest.fixture
def signed_in(desk):
    client = desk("cs_agent")
    assert client.get(QUEUE).status_code == 200
    return client


def test_the_embedded_default_uses_it():
    assert settings.SESSION_ENGINE == "kefu.web.sessions"


def test_a_live_session_is_read_without_compiling(signed_in, monkeypatch):
    compiled = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    assert signed_in.get(QUEUE).status_code == 200
    assert Session not in compiled


def test_an_expired_session_signs_nobody_in(signed_in):
    key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    r = signed_in.get(QUEUE)
    assert r.status_code == 302 and "/desk/login/" in r["Location"]


@pytest.mark.parametrize("cookie", ["no-such-session-key-0123456789abcd", "short", ""])
def test_an_unknown_or_malformed_key_signs_nobody_in(signed_in, cookie):
    signed_in.cookies[settings.SESSION_COOKIE_NAME] = cookie
    r = signed_in.get(QUEUE)
    assert r.status_code == 302 and "/desk/login/" in r["Location"]


def test_signing_out_ends_the_session(signed_in):
    key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    signed_in.post("/desk/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert signed_in.get(QUEUE).status_code == 302
