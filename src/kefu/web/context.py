from kefu.org.selectors import staff_of


def kefu(request):
    from .nav import links_for

    user = getattr(request, "user", None)
    staff = staff_of(user) if user is not None else None
    return {"kefu_staff": staff, "kefu_nav": links_for(user) if staff else []}
