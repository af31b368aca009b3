"""Uploads are refused by their declared and their streamed size before they are read whole
(issue 10, item 4): the desk's attach form, the API's attachments, the anonymous portal."""

import io

import pytest
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from kefu.tickets.models import Attachment, Ticket
from tests.factories import open_ticket
from tests.web.test_portal import FORM

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class CountingInput(io.BytesIO):
    """A request body that remembers how much of it the server read."""

    read_bytes = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.read_bytes += len(line)
        return line


def multipart(fields: dict, file_bytes: bytes) -> bytes:
    upload = io.BytesIO(file_bytes)
    upload.name = "photo.png"
    return encode_multipart(BOUNDARY, {**fields, "file": upload})


def send(client, url, body: bytes, declared: int | None = None, **extra):
    stream = CountingInput(body)
    response = client.generic(
        "POST",
        url,
        b"",
        **{
            "CONTENT_TYPE": MULTIPART_CONTENT,
            "wsgi.input": stream,
            "CONTENT_LENGTH": str(len(body) if declared is None else declared),
            **extra,
        },
    )
    return response, stream


@pytest.fixture
def ticket(chain):
    return open_ticket(chain["stores"]["SH001"])


def targets(ticket, api, desk):
    return {
        "desk": (desk("cs_agent"), f"/desk/tickets/{ticket.pk}/attach", {}),
        "api": (api("cs_agent"), f"/api/v1/tickets/{ticket.pk}/attachments", {}),
        "portal": (Client(), "/", FORM),
    }


@pytest.mark.parametrize("where", ["desk", "api", "portal"])
def test_a_declared_300_mb_body_is_refused_unread(where, ticket, api, desk):
    client, url, fields = targets(ticket, api, desk)[where]
    tickets = Ticket.objects.count()
    r, stream = send(client, url, multipart(fields, PNG), declared=300 * 1024 * 1024)
    assert r.status_code == 413
    text = r.json()["detail"] if where == "api" else r.content.decode()
    assert text == "上传的内容超过 10 MB。"
    assert stream.read_bytes == 0
    assert Ticket.objects.count() == tickets and not Attachment.objects.exists()


@override_settings(KEFU_ATTACHMENT_MAX_BYTES=200_000)
@pytest.mark.parametrize("where", ["desk", "api", "portal"])
def test_a_body_larger_than_it_declared_is_stopped_while_streaming(where, ticket, api, desk):
    client, url, fields = targets(ticket, api, desk)[where]
    # Declared within the room left for form fields, but the file itself is over the limit:
    # the server stops reading a little past the limit, not at the end of the 1 MB.
    body = multipart(fields, PNG + b"\x01" * 1_000_000)
    tickets = Ticket.objects.count()
    r, stream = send(client, url, body)
    assert r.status_code == 413, r.content[:300]
    assert stream.read_bytes < 500_000
    assert Ticket.objects.count() == tickets and not Attachment.objects.exists()


def test_an_upload_within_the_limit_still_attaches(ticket, api):
    r, _stream = send(
        api("cs_agent"), f"/api/v1/tickets/{ticket.pk}/attachments", multipart({}, PNG)
    )
    assert r.status_code == 201, r.content
    assert Attachment.objects.get().size == len(PNG)


def test_the_api_answers_413_as_json_in_english_on_request(ticket, api):
    r, _stream = send(
        api("cs_agent"),
        f"/api/v1/tickets/{ticket.pk}/attachments",
        multipart({}, PNG),
        declared=50 * 1024 * 1024,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 413
    assert r.json() == {
        "detail": "The upload is larger than 10 MB.",
        "code": "too_large",
        "field": None,
    }
