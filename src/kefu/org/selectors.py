"""Who may see what: every read and write in Kefu starts from these."""

from django.db.models import Q, QuerySet

from .models import Staff, Store
from .roles import Role, has_right


def staff_of(user) -> Staff | None:
    """The user's staff profile. A superuser without one acts as an administrator."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
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
    """A Q restricting a queryset to the user's scope, Q() for everything, None for nothing."""
    staff = staff_of(user)
    if staff is None or staff.scope == "outlet":
        return None
    if staff.scope == "store":
        return Q(**{f"{store_field}_id": staff.store_id})
    if staff.scope == "region":
        if region_field:
            return Q(**{f"{region_field}_id": staff.region_id})
        return Q(**{f"{store_field}__region_id": staff.region_id})
    if staff.scope == "area":
        stores, regions = service_area(staff)
        region_lookup = f"{region_field}_id" if region_field else f"{store_field}__region_id"
        return Q(**{f"{store_field}_id__in": stores}) | Q(**{f"{region_lookup}__in": regions})
    return Q()


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
