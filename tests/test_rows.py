"""kefu.rows: instances from hand-written statements equal what the ORM gives (converters
applied: datetimes, booleans, JSON, decimals), on SQLite and PostgreSQL."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from kefu import rows
from kefu.channels.models import CustomerChannel
from kefu.customers.models import Customer
from kefu.org.models import ApiToken, Staff, Store
from kefu.org.selectors import store_for, stores_for, user_for_token
from kefu.org.services import token_for

pytestmark = pytest.mark.django_db


def fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_first_equals_the_orm_for_every_column(chain):
    store = chain["stores"]["SH001"]
    customer = Customer.objects.create(
        name="王芳", phone="13800001111", email="w@example.com", is_vip=True, home_store=store
    )
    Customer.objects.filter(pk=customer.pk).update(
        erased_at=timezone.now() - datetime.timedelta(days=1)
    )
    fetched = rows.first(Customer, "m.phone = %s", ["13800001111"])
    expected = Customer.objects.get(pk=customer.pk)
    assert type(fetched) is Customer and not fetched._state.adding
    assert fields(fetched) == fields(expected)
    assert isinstance(fetched.is_vip, bool) and isinstance(fetched.erased_at, datetime.datetime)
    assert rows.first(Customer, "m.phone = %s", ["13800009999"]) is None


def test_many_in_primary_key_order_with_json(chain):
    customer = Customer.objects.create(name="李雷", phone="13800002222")
    made = [
        CustomerChannel.objects.create(customer=customer, channel=c, address=f"{c}-addr")
        for c in ("wechat", "email")
    ]
    fetched = rows.many(CustomerChannel, "m.customer_id = %s", [customer.pk])
    assert [fields(r) for r in fetched] == [
        fields(r)
        for r in CustomerChannel.objects.filter(pk__in=[m.pk for m in made]).order_by("pk")
    ]


def test_token_user_comes_with_staff_store_and_region_loaded(users, django_assert_num_queries):
    key_id = ApiToken.parse(token_for("staff_sh001"))
    with django_assert_num_queries(1):
        user = user_for_token(key_id)
        assert user.staff.store.code == "SH001" and user.staff.region is None
    expected = get_user_model().objects.get(username="staff_sh001")
    assert fields(user) == fields(expected)
    assert fields(user.staff) == fields(Staff.objects.get(user=expected))
    regional = user_for_token(ApiToken.parse(token_for("region_east")))
    assert regional.staff.region.code == "east" and regional.staff.store is None
    assert user_for_token("0" * 16) is None


def test_superuser_without_staff_profile_is_refused_no_query(users, django_assert_num_queries):
    admin = get_user_model().objects.create_superuser("root2", "r@example.com", "x")
    key_id = ApiToken.parse(token_for("root2"))
    with django_assert_num_queries(1):
        user = user_for_token(key_id)
        with pytest.raises(Staff.DoesNotExist):
            user.staff  # noqa: B018 - cached as absent, as select_related would
    assert user.pk == admin.pk


@pytest.mark.parametrize("username", ["staff_sh001", "region_east", "cs_agent", "cs_manager"])
def test_store_for_matches_stores_for(chain, username):
    user = chain["users"][username]
    Store.objects.filter(code="SH002").update(is_active=False)
    for code in ("SH001", "SH002", "BJ001", "NOPE"):
        expected = stores_for(user).filter(code=code).first()
        found = store_for(user, code)
        assert (found.pk if found else None) == (expected.pk if expected else None), code


def test_models_written_by_rows_insert_have_no_save_of_their_own():
    """rows.insert calls no save() and sends no pre_save: the models the write path inserts that
    way must not rely on either (a save() override or a pre_save receiver added later would be
    skipped silently). TicketEvent's post_save is sent by record_event itself."""
    from django.db import models
    from django.db.models.signals import pre_save

    from kefu.channels.models import Delivery
    from kefu.customers.models import PiiReveal
    from kefu.sla.models import SlaClock
    from kefu.tickets.models import Ticket, TicketEvent

    for model in (Ticket, TicketEvent, SlaClock, Delivery, PiiReveal):
        assert model.save is models.Model.save, model
        assert not pre_save.has_listeners(model), model


def test_insert_and_update_equal_the_orm(chain):
    from kefu.customers.models import PiiReveal

    user, customer = (
        chain["users"]["cs_agent"],
        Customer.objects.create(name="张三", phone="13800003333"),
    )
    made = rows.insert([PiiReveal(user=user, customer=customer, fields="phone", context="t")] * 1)
    assert made[0].pk and not made[0]._state.adding
    stored = PiiReveal.objects.get(pk=made[0].pk)
    assert fields(stored) == fields(made[0])
    when = timezone.now() - datetime.timedelta(hours=3)
    rows.update(Customer, customer.pk, is_vip=True, erased_at=when, name="张三丰")
    customer.refresh_from_db()
    assert (customer.is_vip, customer.erased_at, customer.name) == (True, when, "张三丰")
