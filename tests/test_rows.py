"""kefu.rows: instances from hand-written statements equal what the ORM gives (converters
applied: datetimes, booleans, JSON, decimals), on SQLite and PostgreSQL."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
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


@time_machine.travel(
    datetime.datetime(2026, 5, 6, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
def test_an_inserts_values_are_what_djangos_own_preparation_gives(
    chain, users, django_capture_on_commit_callbacks
):
    """rows.insert hands a plain value (a str to a text field, an int to a number or a key, an
    aware datetime to the backend's adapter) through without the field's preparation, and
    gives the field anything else: the same parameters as bulk_create's, for each model
    inserted through it — the rows of a real new ticket — and for values that need the field."""
    from django.db import connection
    from django.utils.translation import gettext_lazy

    from kefu.channels.models import Delivery
    from kefu.customers.models import PiiReveal
    from kefu.sla.models import SlaClock
    from kefu.tickets.models import Ticket, TicketEvent
    from tests.factories import CustomerFactory, open_ticket

    with django_capture_on_commit_callbacks(execute=True):  # the customer's SMS: a Delivery
        opened = open_ticket(
            chain["stores"]["SH001"], customer=CustomerFactory(phone="13912345678", email="")
        )
    ticket = Ticket.objects.get(pk=opened.pk)
    odd = Ticket.objects.get(pk=opened.pk)
    odd.subject, odd.priority_rank, odd.number = gettext_lazy("投诉"), True, 20260506
    found = [
        ticket,
        odd,
        *TicketEvent.objects.filter(ticket=ticket),
        *SlaClock.objects.filter(ticket=ticket),
        *Delivery.objects.filter(ticket=ticket),
        PiiReveal(user=users["cs_agent"], customer=ticket.customer, fields="phone", context="t"),
    ]
    assert {type(o) for o in found} == {Ticket, TicketEvent, SlaClock, Delivery, PiiReveal}

    def plain(values):  # psycopg's wrappers (Jsonb, Int8 …) by what they wrap
        return [(type(v).__name__, getattr(v, "obj", v)) for v in values]

    for obj in found:
        fields = rows._insert_fields(type(obj), connection)
        expected = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f, _ in fields]
        assert plain(rows._values(obj, fields, connection)) == plain(expected), type(obj)
    assert rows._values(odd, rows._insert_fields(Ticket, connection), connection)[0] == "20260506"
