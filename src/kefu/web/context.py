from kefu.org.selectors import staff_of


def kefu(request):
    user = getattr(request, "user", None)
    return {"kefu_staff": staff_of(user) if user is not None else None}
