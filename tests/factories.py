"""factory_boy factories and a small chain to test scopes on."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from kefu.catalog.models import ProductCategory
from kefu.customers.models import Customer, Purchase
from kefu.org.models import Region, Staff, Store
from kefu.org.roles import Role


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"r{n}")
    name = factory.Sequence(lambda n: f"大区{n}")


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ST{n:03d}")
    name = factory.Sequence(lambda n: f"测试门店{n}")
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-kefu-test")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    user = factory.SubFactory(UserFactory)
    role = Role.CS_AGENT
    display_name = factory.Sequence(lambda n: f"员工{n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCategory
        django_get_or_create = ("code",)

    code = "refrigerator"
    name = "冰箱"


_phone_seq = iter(range(10_000_000, 99_999_999))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Iterator(["张伟", "王芳", "李娜", "刘洋", "欧阳明"])
    gender = "male"
    phone = factory.LazyFunction(lambda: f"139{next(_phone_seq):08d}")
    address = "上海市浦东新区张杨路501号12栋301室"


class PurchaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purchase

    customer = factory.SubFactory(CustomerFactory)
    category = factory.SubFactory(CategoryFactory)
    model_name = "骏和 BCD-470WDPG 冰箱"
    sale_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=20))
    invoice_number = "12345678"
    price = Decimal("4999.00")


# username → (role, store code or None, region code or None)
ROLES = {
    "admin": (Role.ADMIN, None, None),
    "cs_manager": (Role.CS_MANAGER, None, None),
    "cs_agent": (Role.CS_AGENT, None, None),
    "technician": (Role.TECHNICIAN, None, None),
    "qa": (Role.QA_MONITOR, None, None),
    "trainer": (Role.TRAINER, None, None),
    "coordinator": (Role.COORDINATOR, None, None),
    "staff_sh001": (Role.STORE_STAFF, "SH001", None),
    "manager_sh001": (Role.STORE_MANAGER, "SH001", None),
    "staff_sh002": (Role.STORE_STAFF, "SH002", None),
    "staff_bj001": (Role.STORE_STAFF, "BJ001", None),
    "manager_bj001": (Role.STORE_MANAGER, "BJ001", None),
    "region_east": (Role.REGIONAL_MANAGER, None, "east"),
    "region_north": (Role.REGIONAL_MANAGER, None, "north"),
}


def build_chain() -> dict:
    east = RegionFactory(code="east", name="华东")
    north = RegionFactory(code="north", name="华北")
    stores = {
        "SH001": StoreFactory(code="SH001", name="上海徐家汇店", region=east),
        "SH002": StoreFactory(code="SH002", name="上海浦东店", region=east),
        "BJ001": StoreFactory(code="BJ001", name="北京西单店", region=north),
    }
    regions = {"east": east, "north": north}
    users = {}
    for username, (role, store, region) in ROLES.items():
        user = UserFactory(
            username=username, is_superuser=(role == Role.ADMIN), is_staff=(role == Role.ADMIN)
        )
        StaffFactory(
            user=user,
            role=role,
            display_name=username,
            store=stores.get(store),
            region=regions.get(region),
        )
        users[username] = user
    category = CategoryFactory()
    return {"regions": regions, "stores": stores, "users": users, "category": category}


def open_ticket(
    store,
    *,
    actor=None,
    customer=None,
    type="fault_report",
    subject="冰箱不制冷",
    description="冰箱冷藏室不制冷，请尽快上门检修。",
    **kw,
):
    """A ticket through the real service, as a user of that store would open it."""
    from kefu.tickets import services

    if actor is None:
        actor = Staff.objects.filter(role=Role.CS_AGENT).first().user
    customer = customer or CustomerFactory()
    ticket, _ = services.open_ticket(
        actor=actor,
        type=type,
        channel="phone",
        subject=subject,
        description=description,
        store=store,
        customer=customer,
        **kw,
    )
    return ticket


# --------------------------------------------------------------------------- after-sales


def technician(user, *, skills=("refrigerator",), stores=(), regions=(), is_active=True):
    """Give a technician user a profile: skills by category code, areas by store / region code."""
    from kefu.aftersales.models import Technician

    profile, _ = Technician.objects.get_or_create(
        staff=user.staff, defaults={"is_active": is_active}
    )
    profile.skills.set(ProductCategory.objects.filter(code__in=skills))
    profile.stores.set(Store.objects.filter(code__in=stores))
    profile.regions.set(Region.objects.filter(code__in=regions))
    return profile


def technician_user(username, *, display_name=None, **areas):
    """A second (third…) technician with a profile."""
    user = UserFactory(username=username)
    StaffFactory(user=user, role=Role.TECHNICIAN, display_name=display_name or username)
    technician(user, **areas)
    return user


def purchase_bought(
    days_ago: int, *, customer=None, category="refrigerator", price="3999.00", **kw
):
    """A purchase made `days_ago` days ago (local date), with an invoice unless told otherwise."""
    from django.utils import timezone

    return PurchaseFactory(
        customer=customer or CustomerFactory(),
        category=CategoryFactory(code=category),
        sale_date=timezone.localdate() - datetime.timedelta(days=days_ago),
        price=Decimal(price),
        **kw,
    )
