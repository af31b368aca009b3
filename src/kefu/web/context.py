from kefu.org.selectors import can, staff_of

from .ticket_page import followable_links, nav_layout


def kefu(request):
    user = getattr(request, "user", None)
    staff = staff_of(user) if user is not None else None
    links = followable_links(user) if staff else []  # computed once for the bar and its menus
    return {
        "kefu_staff": staff,
        "kefu_nav": [(link.label, url) for link, url in links],
        "kefu_bar": nav_layout(links),
        # The top bar offers only what the role may do (a trainer opens no tickets).
        "kefu_may": {
            # An outlet's people have no queue: their first link is their outlet's jobs.
            "queue": bool(staff) and can(user, "tickets.queue"),
            "create": bool(staff) and can(user, "tickets.create"),
            "customers": bool(staff) and can(user, "customers.manage"),
            # The admin link only for someone the admin site lets in to do something.
            "settings": bool(staff)
            and user.is_staff
            and (user.is_superuser or bool(user.get_all_permissions())),
        },
    }
