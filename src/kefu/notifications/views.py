"""Desk pages for notifications: the list, the bell (polled by htmx), mark read."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kefu.web.ticket_page import staff_required

from . import selectors, services
from .models import Notification


@staff_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.notifications_for(request.user, unread_only=unread_only)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_only": unread_only, "query": "unread=1" if unread_only else ""},
    )


@staff_required
def bell(request):
    return render(request, "notifications/bell_fragment.html")


@require_POST
@staff_required
def mark_read(request, pk):
    """Mark one notification read; ``open=1`` then goes to its ticket."""
    services.mark_read(request.user, [pk])
    if request.POST.get("open") == "1":
        ticket_id = (
            Notification.objects.filter(pk=pk, recipient=request.user)
            .values_list("ticket_id", flat=True)
            .first()
        )
        if ticket_id:
            return redirect("desk:ticket", pk=ticket_id)
    return redirect("notifications:list")


@require_POST
@staff_required
def mark_all_read(request):
    services.mark_read(request.user)
    return redirect("notifications:list")
