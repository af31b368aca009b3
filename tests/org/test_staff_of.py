"""staff_of reads a user's staff profile with its store and region in one statement."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.org.roles import Role
from kefu.org.selectors import staff_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "username, place",
    [("manager_sh001", "store"), ("region_east", "region"), ("cs_manager", None)],
)
def test_one_statement_gives_the_profile_with_its_store_and_region(users, username, place):
    user = get_user_model().objects.get(username=username)  # nothing cached on it
    with CaptureQueriesContext(connection) as seen:
        staff = staff_of(user)
        assert staff == users[username].staff
        # What the top bar shows (the store's code or the region's name) costs nothing more.
        shown = staff.store.code if place == "store" else staff.region.name if place else None
        assert staff_of(user) is staff and user.staff is staff and staff.user is user
    assert len(seen.captured_queries) == 1
    if place == "store":
        assert shown == "SH001" and staff.region is None
    elif place == "region":
        assert shown and staff.store is None
    else:
        assert staff.store is None and staff.region is None


def test_a_user_without_a_profile_has_none_and_a_superuser_acts_as_administrator(db):
    plain = get_user_model().objects.create_user("no_profile", password="x")
    root = get_user_model().objects.create_superuser("root_without_profile", password="x")
    assert staff_of(plain) is None
    assert staff_of(plain) is None  # asked again: remembered, not an error
    assert staff_of(root).role == Role.ADMIN
