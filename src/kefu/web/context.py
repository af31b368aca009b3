from kefu.org.selectors import staff_of

from .ticket_page import nav_links


def kefu(request):
    user = getattr(request, "user", None)
    staff = staff_of(user) if user is not None else None
    return {"kefu_staff": staff, "kefu_nav": nav_links(user) if staff else []}
