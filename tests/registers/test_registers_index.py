"""/desk/registers/ leads to the first register the reader may keep."""

import pytest
from django.test import Client

from kefu.org.roles import Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_the_registers_index_opens_the_first_register_the_reader_may_keep():
    manager = StaffFactory(role=Role.STORE_MANAGER)
    client = Client()
    client.force_login(manager.user)
    r = client.get("/desk/registers/")
    assert r.status_code == 302 and r["Location"] == "/desk/registers/lost-found/"
