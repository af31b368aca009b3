"""Property-based API fuzzing from the OpenAPI spec (schemathesis): whatever a client sends,
valid or not, the answer is never a 5xx, and every answer is one the OpenAPI document declares
(status code, content type, body schema). Bounded: a few examples per operation and mode
(EXAMPLES × operations × 2 modes, a few hundred requests in all)."""

import json
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kefu.api.urls import api as ninja_api
from kefu.org.services import token_for
from tests.factories import CustomerFactory, PurchaseFactory, open_ticket


@schemathesis.serializer("message/rfc822")
def _raw_mail(ctx, value):
    # The inbound-mail endpoint takes a raw message: send whatever was generated as bytes.
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "replace")


SCHEMA = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
EXAMPLES = 4
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def as_schemathesis(response, case) -> Response:
    """The Django test client's answer in the shape schemathesis checks."""
    request = requests.Request(case.method, f"http://testserver{case.formatted_path}").prepare()
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return Response(
        status_code=response.status_code,
        headers={k.lower(): [v] for k, v in response.headers.items()},
        content=content,
        request=request,
        elapsed=0.0,
        verify=False,
    )


def send(client: Client, case, token: str):
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    url = urlsplit(kwargs["url"]).path
    headers = {
        k: v
        for k, v in kwargs.get("headers", {}).items()
        if k.lower()
        not in {"authorization", "content-type", "connection", "accept-encoding", "user-agent"}
    }
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if v.isascii()}
    extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    method = kwargs["method"].lower()
    params = kwargs.get("params") or {}
    if method in ("get", "delete"):
        return getattr(client, method)(url, params, **extra)
    if "json" in kwargs:
        query = "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
        return getattr(client, method)(
            url + (f"?{query}" if query else ""),
            data=json.dumps(kwargs["json"]),
            content_type="application/json",
            **extra,
        )
    data = kwargs.get("data")
    if isinstance(data, (bytes, str)):  # a raw body, as a careless client might send
        content_type = kwargs.get("headers", {}).get("Content-Type", "application/octet-stream")
        return getattr(client, method)(url, data=data, content_type=content_type, **extra)
    return getattr(client, method)(url, data=data or {}, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"]
)
def test_no_server_error_for_any_input(operation, mode, chain):
    ticket = open_ticket(chain["stores"]["SH001"], customer=CustomerFactory())
    PurchaseFactory(customer=ticket.customer, category=chain["category"])
    token = token_for("cs_manager")
    client = Client(raise_request_exception=False)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        response = send(client, case, token)
        assert response.status_code < 500, (case.as_curl_command(), response.content[:500])
        case.validate_response(as_schemathesis(response, case), checks=CHECKS)

    check()
