"""Who may see what: every read and write in Kefu starts from these."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BigIntegerField, Q, QuerySet, Value

from kefu import rows

from .models import ApiToken, Region, Staff, Store
from .roles import Role, has_right


def staff_of(user) -> Staff | None:
    """The user's staff profile. A superuser without one acts as an administrator.

    Read once per request with its store and region in one statement (the top bar names one of
    them on every desk page, which was a query of its own), and kept on the user as
    ``user.staff``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if not get_user_model().staff.related.is_cached(user):
        _load_staff(user)
    try:
        return user.staff
    except Staff.DoesNotExist:
        if user.is_superuser:
            return Staff(user=user, role=Role.ADMIN, display_name=user.get_username())
        return None


def can(user, capability: str) -> bool:
    """Whether the user's role has ``capability`` (named in kefu.org.roles.RIGHTS)."""
    staff = staff_of(user)
    return has_right(staff.role, capability) if staff is not None else has_right("", capability)


def scope_filter(
    user, *, store_field: str = "store", region_field: str | None = "region"
) -> Q | None:
    """A Q restricting a queryset to the user's scope, Q() for everything, None for nothing.

    The store or region is compared as the bigint its column holds. Django binds a small id as
    a smallint, and PostgreSQL then cannot use an index whose operator class knows only bigint
    = bigint: the ticket text index, which holds each ticket's store and region beside its
    words (btree_gin), so that a store's or region's matches are one index lookup."""
    staff = staff_of(user)
    if staff is None or staff.scope == "outlet":
        return None
    if staff.scope == "store":
        return Q(**{f"{store_field}_id": _bigint(staff.store_id)})
    if staff.scope == "region":
        if region_field:
            return Q(**{f"{region_field}_id": _bigint(staff.region_id)})
        return Q(**{f"{store_field}__region_id": _bigint(staff.region_id)})
    if staff.scope == "area":
        stores, regions = service_area(staff)
        region_lookup = f"{region_field}_id" if region_field else f"{store_field}__region_id"
        return Q(**{f"{store_field}_id__in": stores}) | Q(**{f"{region_lookup}__in": regions})
    return Q()


def _bigint(pk: int) -> Value:
    return Value(pk, output_field=BigIntegerField())


def service_area(staff: Staff) -> tuple[list[int], list[int]]:
    """(store ids, region ids) a technician serves. The aftersales app keeps the technician's
    file; org reaches it through the Staff.technician relation, never by importing it."""
    if not staff.pk:
        return [], []
    rows = Staff.objects.filter(pk=staff.pk).values_list(
        "technician__stores", "technician__regions"
    )
    stores = sorted({s for s, _r in rows if s is not None})
    regions = sorted({r for _s, r in rows if r is not None})
    return stores, regions


def in_scope(queryset: QuerySet, user, **fields) -> QuerySet:
    condition = scope_filter(user, **fields)
    return queryset.none() if condition is None else queryset.filter(condition)


def store_in_scope(user, store: Store) -> bool:
    """Whether the user may work on this store's tickets (no query: the staff row is loaded)."""
    staff = staff_of(user)
    if staff is None or not store.is_active or staff.scope == "outlet":
        return False
    if staff.scope == "store":
        return store.pk == staff.store_id
    if staff.scope == "region":
        return store.region_id == staff.region_id
    if staff.scope == "area":
        stores, regions = service_area(staff)
        return store.pk in stores or store.region_id in regions
    return True


def store_for(user, code: str) -> Store | None:
    """The active store with this code if the user may file tickets for it (as
    ``stores_for(user).filter(code=code).first()``, from a statement written once)."""
    store = rows.first(Store, "m.code = %s AND m.is_active", [code])
    return store if store is not None and store_in_scope(user, store) else None


def stores_for(user) -> QuerySet:
    """Stores the user may file tickets for and filter by."""
    staff = staff_of(user)
    stores = Store.objects.filter(is_active=True).select_related("region")
    if staff is None or staff.scope == "outlet":
        return stores.none()
    if staff.scope == "store":
        return stores.filter(pk=staff.store_id)
    if staff.scope == "region":
        return stores.filter(region_id=staff.region_id)
    if staff.scope == "area":
        ids, regions = service_area(staff)
        return stores.filter(Q(pk__in=ids) | Q(region_id__in=regions))
    return stores


def user_for_token(key_id: str):
    """The user holding API token ``key_id`` with their staff profile, its store and region
    loaded, in one statement written once per process (the queryset with select_related over
    four tables cost more to compile than to run, on every API request); None without a token.
    """
    User = get_user_model()
    found = _with_staff(
        "token",
        [rows.columns(User, "u")],
        f"{ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
        f"LEFT JOIN {Staff._meta.db_table} s ON s.user_id = u.id",
        "t.key_id = %s",
        key_id,
    )
    if found is None:
        return None
    user, staff, store, region = found
    _attach(user, staff, store, region)
    return user


def _load_staff(user) -> None:
    """The user's staff profile with its store and region, by one statement written once per
    process (as ``user_for_token``'s), kept on the user as ``user.staff``."""
    found = _with_staff("staff", [], f"{Staff._meta.db_table} s", "s.user_id = %s", user.pk)
    _attach(user, *(found or (None, None, None)))


_SQL: dict[tuple[str, str], str] = {}


def _with_staff(kind: str, head: list, tables: str, where: str, param) -> list | None:
    """One row: the ``head`` columns, then a staff profile (alias ``s`` in ``tables``) with its
    store and region, as model instances (None for what a LEFT JOIN did not find); None when
    nothing matches. The statement is written once per process for each kind and database."""
    cols = [*head, rows.columns(Staff, "s"), rows.columns(Store, "st"), rows.columns(Region, "r")]
    key = (kind, connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = (
            f"SELECT {', '.join(c.sql for c in cols)} FROM {tables} "
            f"LEFT JOIN {Store._meta.db_table} st ON st.id = s.store_id "
            f"LEFT JOIN {Region._meta.db_table} r ON r.id = s.region_id "
            f"WHERE {where}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [param])
        row = cursor.fetchone()
    if row is None:
        return None
    built, at = [], 0
    for c in cols:
        built.append(c.build(row, at))
        at += len(c)
    return built


def _attach(user, staff, store, region) -> None:
    """What select_related("staff__store", "staff__region") would have cached on the user."""
    get_user_model().staff.related.set_cached_value(user, staff)
    if staff is not None:
        Staff.user.field.set_cached_value(staff, user)
        Staff.store.field.set_cached_value(staff, store)
        Staff.region.field.set_cached_value(staff, region)
