"""Security and privacy headers (issue 10, item 8)."""

import re
from pathlib import Path

import pytest
from django.test import Client, override_settings

from kefu.api.urls import api as ninja_api
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "kefu"


def test_every_page_has_a_strict_csp_and_a_permissions_policy(client, desk, chain):
    for response in (client.get("/"), desk("cs_agent").get("/desk/"), client.get("/desk/login/")):
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "camera=()" in response["Permissions-Policy"]


def test_no_template_has_inline_script_style_or_handlers():
    """What the policy would block: fix the template, never loosen the policy."""
    offenders = []
    for path in TEMPLATES.rglob("templates/**/*.html"):
        html = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>",
            r"<style",
            r"\son[a-z]+=",
            r"\sstyle=",
        ):
            if re.search(pattern, html):
                offenders.append(f"{path.name}: {pattern}")
    assert offenders == []


def test_desk_and_api_answers_with_personal_data_are_not_stored(desk, api, chain):
    ticket = open_ticket(chain["stores"]["SH001"])
    for response in (
        desk("cs_agent").get(f"/desk/tickets/{ticket.pk}/"),
        api("cs_agent").get(f"/api/v1/tickets/{ticket.pk}"),
        api("cs_agent").get("/api/v1/customers"),
    ):
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"


def test_hsts_is_off_by_default_and_on_when_configured(client, chain):
    assert "Strict-Transport-Security" not in client.get("/", secure=True)
    with override_settings(SECURE_HSTS_SECONDS=31536000):
        answer = Client().get("/", secure=True)  # middleware reads its settings when built
    assert answer["Strict-Transport-Security"] == "max-age=31536000"


def test_the_openapi_document_declares_the_refusals():
    paths = ninja_api.get_openapi_schema()["paths"]  # as served: status codes are JSON keys
    read = paths["/api/v1/notifications/read"]["post"]["responses"]
    assert {"422", "400"} <= set(read)
    download = paths["/api/v1/tickets/attachments/{attachment_id}"]["get"]["responses"]
    assert {"200", "404"} <= set(download)
    upload = paths["/api/v1/tickets/{ticket_id}/attachments"]["post"]["responses"]
    assert "413" in upload
    assert all("414" in op["responses"] for p in paths.values() for op in p.values())


def test_an_unknown_api_address_answers_json(api, chain):
    r = api("cs_agent").get("/api/v1/customers/true")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
