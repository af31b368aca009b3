"""Desk pages of the store registers: lost and found, training and etiquette, the voice of
the customer. Every page is scoped; without the right, a 404."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from kefu.errors import KefuError, NotFound
from kefu.org.selectors import can, staff_of, stores_for
from kefu.quality import selectors as quality_selectors
from kefu.web.ticket_page import staff_required

from . import rules, selectors, services
from .models import Disposal, HandedTo, LostItemStatus, TrainingResult


def _need(request, capability):
    if not can(request.user, capability):
        raise Http404


def _stores(request):
    staff = staff_of(request.user)
    return [] if staff is None or staff.store_id else list(stores_for(request.user)[:200])


# --------------------------------------------------------------------------- lost and found


def _lost_found_page(request, *, error=None, form=None, status=200):
    show = request.GET.get("status", LostItemStatus.KEPT)
    rows = selectors.lost_items(request.user)
    if show in LostItemStatus.values:
        rows = rows.filter(status=show)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "registers/lost_found.html",
        {
            "page": page,
            "query": f"status={show}",
            "show": show,
            "statuses": LostItemStatus.choices,
            "handed_to": HandedTo.choices,
            "disposals": Disposal.choices,
            "stores": _stores(request),
            "today": today,
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "keep_days": rules.load()["lost_found"]["keep_days"],
            "may_dispose": can(request.user, "registers.lost_found.dispose"),
            "error": error,
            "form": form or {},
        },
        status=status,
    )


@staff_required
def index(request):
    """/desk/registers/: the first register the reader may keep (404 when none)."""
    for right, name in (
        ("registers.lost_found", "registers:lost_found"),
        ("registers.training", "registers:training"),
        ("registers.voice", "registers:voice"),
    ):
        if can(request.user, right):
            return redirect(name)
    raise Http404


@staff_required
def lost_found(request):
    _need(request, "registers.lost_found")
    if request.method != "POST":
        return _lost_found_page(request)
    post = request.POST
    action = post.get("action", "record")
    try:
        if action == "record":
            found_at = parse_datetime(post.get("found_at", "")) if post.get("found_at") else None
            if found_at is not None and timezone.is_naive(found_at):
                found_at = timezone.make_aware(found_at)
            services.record_found_item(
                actor=request.user,
                item=post.get("item"),
                found_place=post.get("found_place"),
                found_at=found_at,
                found_by=post.get("found_by"),
                handed_to=post.get("handed_to"),
                handed_to_name=post.get("handed_to_name"),
                store=post.get("store") or None,
            )
            messages.success(request, _("Found item recorded."))
        elif action == "claim":
            services.hand_back(
                actor=request.user,
                item_id=post.get("item_id"),
                claimed_by=post.get("claimed_by"),
                id_number=post.get("id_number"),
            )
            messages.success(request, _("Handed back to its owner."))
        elif action == "dispose":
            services.dispose(
                actor=request.user, item_id=post.get("item_id"), disposal=post.get("disposal")
            )
            messages.success(request, _("Disposal recorded."))
        else:
            raise Http404
    except NotFound:
        raise
    except KefuError as exc:
        return _lost_found_page(request, error=exc.text(), form=post, status=exc.status)
    return redirect("registers:lost_found")


# --------------------------------------------------------------------------- training


@staff_required
def training(request):
    """The people of the manager's scope, today's etiquette check of each, and a training form."""
    _need(request, "registers.training")
    error, status = None, 200
    if request.method == "POST":
        try:
            services.record_training(
                actor=request.user,
                staff_id=request.POST.get("staff"),
                course=request.POST.get("course"),
                held_on=parse_date(request.POST.get("held_on") or ""),
                trainer=request.POST.get("trainer"),
                result=request.POST.get("result"),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("Training recorded."))
            return redirect("registers:training")
        except NotFound:
            raise
        except (KefuError, ValueError) as exc:
            error = exc.text() if isinstance(exc, KefuError) else _("Enter a valid date.")
            status = getattr(exc, "status", 400)
    today = timezone.localdate()
    people = list(selectors.people(request.user)[:300])
    checks = selectors.checks_on(request.user, today)
    total = len(rules.etiquette_items())
    rows = [(p, checks.get(p.pk)) for p in people]
    return render(
        request,
        "registers/training.html",
        {
            "rows": rows,
            "total": total,
            "today": today,
            "results": TrainingResult.choices,
            "error": error,
            "form": request.POST if error else {},
        },
        status=status,
    )


@staff_required
def person(request, pk):
    """One staff member: training records, the daily etiquette checklist, and (where the
    manager may read them) their self-assessments and QA results."""
    _need(request, "registers.training")
    people = selectors.people(request.user)
    who = people.filter(pk=pk).first()
    if who is None:
        raise NotFound()
    error, status = None, 200
    if request.method == "POST":
        try:
            services.tick_etiquette(
                actor=request.user, staff_id=who.pk, met=request.POST.getlist("met")
            )
            messages.success(request, _("Today's etiquette check saved."))
            return redirect("registers:person", pk=who.pk)
        except KefuError as exc:
            error, status = exc.text(), exc.status
    today = timezone.localdate()
    checks = list(selectors.checks_of(who))
    todays = next((c for c in checks if c.day == today), None)
    items = rules.etiquette_items()
    try:
        _p, assessments = quality_selectors.assessments_of(request.user, who.pk)
        assessments = list(assessments[:5])
    except NotFound:
        assessments = None
    reviews = None
    if can(request.user, "quality.summaries"):
        reviews = list(
            quality_selectors.reviews_visible_to(request.user)
            .filter(agent_id=who.user_id)
            .select_related("ticket")[:10]
        )
    return render(
        request,
        "registers/person.html",
        {
            "who": who,
            "trainings": selectors.trainings_of(who)[:50],
            "items": items,
            "todays_met": set(todays.met) if todays else set(),
            "checks": [(c, len(c.met)) for c in checks],
            "total": len(items),
            "assessments": assessments,
            "reviews": reviews,
            "error": error,
        },
        status=status,
    )


# --------------------------------------------------------------------------- voice of the customer


@staff_required
def voice(request):
    _need(request, "registers.voice")
    error, status = None, 200
    if request.method == "POST":
        try:
            services.note_voice(
                actor=request.user,
                text=request.POST.get("text"),
                theme=request.POST.get("theme"),
                product_model=request.POST.get("product_model") or None,
                store=request.POST.get("store") or None,
            )
            messages.success(request, _("Thank you: the customer's words are on record."))
            return redirect("registers:voice")
        except KefuError as exc:
            error, status = exc.text(), exc.status
    themes = rules.load()["voice_themes"]
    rows = selectors.voice_notes(request.user)
    theme = request.GET.get("theme", "")
    if theme in themes:
        rows = rows.filter(theme=theme)
    since = timezone.now() - datetime.timedelta(days=30)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "registers/voice.html",
        {
            "page": page,
            "query": f"theme={theme}",
            "themes": list(themes.items()),
            "theme": theme,
            "counts": selectors.voice_counts(request.user, since=since)[:12],
            "stores": _stores(request),
            "error": error,
            "form": request.POST if error else {},
        },
        status=status,
    )
