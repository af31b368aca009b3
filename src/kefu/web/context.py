from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from kefu.org.selectors import can, staff_of

from .ticket_page import followable_links, nav_layout


def _has_admin_permissions(user) -> bool:
    """Whether the admin site would let this staff member do anything: two permission queries,
    remembered five minutes (the top bar asks on every desk page; a permission given or taken
    shows in the bar's settings link that much later, the admin site itself checks at once)."""
    return cache.get_or_set(
        f"kefu:admin-permissions:{user.pk}", lambda: bool(user.get_all_permissions()), 300
    )


def kefu(request):
    """The desk's top bar: who is signed in, their links and what the bar offers them. Lazy:
    computed only by a template that shows the bar, not by the fragments htmx loads (the
    ticket page's panels, the presence beat every few seconds)."""
    user = getattr(request, "user", None)
    staff = SimpleLazyObject(lambda: staff_of(user) if user is not None else None)
    # computed once for the bar and its menus
    links = SimpleLazyObject(lambda: followable_links(user) if staff else [])
    return {
        "kefu_staff": staff,
        "kefu_nav": SimpleLazyObject(lambda: [(link.label, url) for link, url in links]),
        "kefu_bar": SimpleLazyObject(lambda: nav_layout(links)),
        # The top bar offers only what the role may do (a trainer opens no tickets).
        "kefu_may": SimpleLazyObject(
            lambda: {
                # An outlet's people have no queue: their first link is their outlet's jobs.
                "queue": bool(staff) and can(user, "tickets.queue"),
                "create": bool(staff) and can(user, "tickets.create"),
                "customers": bool(staff) and can(user, "customers.manage"),
                # The admin link only for someone the admin site lets in to do something.
                "settings": bool(staff)
                and user.is_staff
                and (user.is_superuser or _has_admin_permissions(user)),
            }
        ),
    }
