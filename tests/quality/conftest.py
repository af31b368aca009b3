"""Fixtures for the service-quality tests."""

import json

import pytest


def post_json(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def complaint(chain, users):
    """A complaint at SH001 from 张伟 (male: addressed as 张先生)."""
    from tests.factories import CustomerFactory, open_ticket

    customer = CustomerFactory(name="张伟", gender="male")
    return open_ticket(
        chain["stores"]["SH001"],
        actor=users["staff_sh001"],
        customer=customer,
        type="complaint",
        subject="店员态度冷淡",
        description="问了几遍才回答。",
    )
