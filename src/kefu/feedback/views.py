"""Desk pages (/desk/feedback/): follow-up calls, the feedback-card inbox, compensation approvals
and sums, satisfaction by store, and the panel on the ticket page. Views parse, call services
and selectors, and render."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from kefu.customers.selectors import contact_for, reveal_contact, shown
from kefu.errors import InvalidInput, KefuError
from kefu.org.roles import Tier
from kefu.org.selectors import can, stores_for
from kefu.web.ticket_page import run_action, staff_required

from . import rules, selectors, services
from .models import (
    CallOutcome,
    CardCategory,
    CompensationKind,
    CompensationPurpose,
    CompensationStatus,
    FeedbackSettings,
)

PAGE_SIZE = 25


def _needs(request, capability: str):
    if not can(request.user, capability):
        raise Http404(_("Not found, or outside your scope."))


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def period(request) -> tuple[datetime.date, datetime.date]:
    """?since=&until= (dates), by default this month so far."""
    today = timezone.localdate()

    def parse(name, default):
        try:
            return datetime.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return default

    return selectors.clamp_period(parse("since", today.replace(day=1)), parse("until", today))


# ---- the ticket page panel ---------------------------------------------------------------------


def ticket_panel(request, ticket) -> dict:
    """Survey result, follow-up calls and compensation on the ticket page, with their actions."""
    voice = selectors.ticket_voice(request.user, ticket)
    answered = voice["survey"] is not None and voice["survey"].answered_at is not None
    return {
        **voice,
        "can_request": can(request.user, "feedback.compensation.request"),
        # The score is marked low against the threshold: read only when there is a score.
        "threshold": FeedbackSettings.current().low_score_threshold if answered else None,
        "kinds": CompensationKind.choices,
        "purposes": CompensationPurpose.choices,
    }


@require_POST
@staff_required
def compensation_request(request, pk):
    form = request.POST

    def action(ticket):
        item = services.request_compensation(
            actor=request.user,
            ticket=ticket,
            kind=form.get("kind", ""),
            purpose=form.get("purpose", ""),
            amount=form.get("amount", ""),
            gift=form.get("gift", ""),
            reason=form.get("reason", ""),
        )
        if item.status == CompensationStatus.APPROVED:
            messages.success(request, _("Compensation recorded (within your own limit)."))
        else:
            messages.success(
                request,
                _("Compensation requested; it waits for: %(rung)s.")
                % {"rung": Tier(item.awaiting_tier).label},
            )

    return run_action(request, pk, action)


@require_POST
@staff_required
def compensation_decide(request, pk):
    item = selectors.get_compensation(request.user, pk)
    decision = request.POST.get("decision")

    def action(ticket):
        if decision == "approve":
            services.approve_compensation(
                actor=request.user, compensation_id=pk, note=request.POST.get("note", "")
            )
            messages.success(request, _("Compensation approved."))
        elif decision == "reject":
            services.reject_compensation(
                actor=request.user, compensation_id=pk, reason=request.POST.get("note", "")
            )
            messages.success(request, _("Compensation rejected."))
        else:
            raise InvalidInput(_("Choose approve or reject."), field="decision")

    if request.POST.get("next") == "list":
        try:
            action(item.ticket)
        except KefuError as exc:
            messages.error(request, exc.text())
        return redirect("feedback:compensations")
    return run_action(request, item.ticket_id, action)


# ---- follow-up calls ---------------------------------------------------------------------------


@staff_required
def followups(request):
    _needs(request, "feedback.followups")
    view = request.GET.get("view", "open")
    if view not in selectors.FOLLOWUP_VIEWS or (
        view == "overdue" and not can(request.user, "feedback.followups.manage")
    ):
        view = "open"
    store = request.GET.get("store") or None
    page = _page(request, selectors.followup_list(request.user, view=view, store=store))
    for followup in page.object_list:  # the name on file only where it is disclosed
        followup.shown = shown(request.user, followup.ticket.customer)
    return render(
        request,
        "feedback/followups.html",
        {
            "page": page,
            "view": view,
            "store": store or "",
            "stores": stores_for(request.user),
            "query": _query(request),
            "today": timezone.localdate(),
            "can_manage": can(request.user, "feedback.followups.manage"),
            "overdue": selectors.overdue_count(request.user)
            if can(request.user, "feedback.followups.manage")
            else None,
        },
    )


CALL_RESULT_LABELS = [
    ("reached", _lazy("Reached")),
    ("no_answer", _lazy("No answer")),
    ("refused", _lazy("Hung up / refused")),
    ("wrong_number", _lazy("Number not in service")),
    ("busy_or_off", _lazy("Busy or switched off")),
]
SATISFACTION_LABELS = [
    ("satisfied", _lazy("Satisfied")),
    ("unsatisfied", _lazy("Unsatisfied")),
    ("not_said", _lazy("Did not say")),
]


def _call_outcome(post) -> tuple[str, str]:
    """The stored outcome and the note from the two questions of the form (通话结果, 满意度);
    a call result other than reached is written at the head of the note (拒接, 空号…)."""
    call = post.get("call", "")
    outcome = rules.call_outcome(call, post.get("satisfaction", ""))
    if outcome is None and call in rules.CALL_RESULTS:
        raise InvalidInput(_("Say whether the customer is satisfied."), field="satisfaction")
    if outcome is None:
        raise InvalidInput(_("Say how the call went."), field="call")
    note = post.get("note", "")
    if call not in ("reached", "no_answer"):
        label = str(dict(CALL_RESULT_LABELS)[call])
        note = f"{label}。{note}".strip() if note.strip() else label
    return outcome, note


def _followup_context(request, followup, **extra):
    contact = reveal_contact(
        request.user, followup.ticket.customer, context=f"desk:followup:{followup.pk}"
    )
    return {
        "followup": followup,
        "ticket": followup.ticket,
        "contact": contact,
        "shown": shown(request.user, followup.ticket.customer),
        "outcomes": CallOutcome.choices,
        "call_results": CALL_RESULT_LABELS,
        "satisfaction": SATISFACTION_LABELS,
        "script": services.call_script(followup, request.user),
        "today": timezone.localdate(),
        "consent": followup.ticket.customer.consent_contact,
        **extra,
    }


@staff_required
def followup_detail(request, pk):
    _needs(request, "feedback.followups")
    followup = selectors.get_followup(request.user, pk)
    return render(request, "feedback/followup.html", _followup_context(request, followup))


@require_POST
@staff_required
def followup_call(request, pk):
    _needs(request, "feedback.followups")
    followup = selectors.get_followup(request.user, pk)
    try:
        if "call" in request.POST:
            outcome, note = _call_outcome(request.POST)
        else:  # the single outcome field, as the API takes it
            outcome, note = request.POST.get("outcome", ""), request.POST.get("note", "")
        done = services.record_call(actor=request.user, followup_id=pk, outcome=outcome, note=note)
    except KefuError as exc:
        return render(
            request,
            "feedback/followup.html",
            _followup_context(
                request, followup, error=exc.text(), note=request.POST.get("note", "")
            ),
            status=exc.status,
        )
    messages.success(
        request,
        _("Call recorded.") if done.done_at else _("Attempt recorded; the call stays on the list."),
    )
    return redirect("feedback:followups")


# ---- feedback cards ----------------------------------------------------------------------------


@staff_required
def cards(request):
    _needs(request, "feedback.cards")
    view = request.GET.get("view", "new")
    view = view if view in selectors.CARD_VIEWS else "new"
    category = request.GET.get("category") or None
    store = request.GET.get("store") or None
    page = _page(
        request, selectors.card_list(request.user, view=view, store=store, category=category)
    )
    # The signer as this reader may see them (a mobile typed on the portal discloses nothing).
    for card in page.object_list:
        card.signer = shown(request.user, card.customer) if card.customer_id else None
    return render(
        request,
        "feedback/cards.html",
        {
            "page": page,
            "view": view,
            "store": store or "",
            "category": category or "",
            "categories": CardCategory.choices,
            "stores": stores_for(request.user),
            "query": _query(request),
        },
    )


def _card_page(request, card, **extra):
    contact = (
        contact_for(request.user, card.customer, context=f"desk:card:{card.pk}")
        if card.customer_id
        else None
    )
    return {
        "card": card,
        "contact": contact,
        "can_open_ticket": can(request.user, "tickets.create"),
        **extra,
    }


@staff_required
def card_detail(request, pk):
    _needs(request, "feedback.cards")
    card = selectors.get_card(request.user, pk)
    return render(request, "feedback/card.html", _card_page(request, card))


@require_POST
@staff_required
def card_handle(request, pk):
    _needs(request, "feedback.cards")
    card = selectors.get_card(request.user, pk)
    try:
        if request.POST.get("action") == "ticket":
            ticket = services.card_to_ticket(actor=request.user, card_id=pk)
            messages.success(request, _("Ticket %(number)s opened.") % {"number": ticket.number})
            return redirect("desk:ticket", pk=ticket.pk)
        services.handle_card(actor=request.user, card_id=pk, note=request.POST.get("note", ""))
    except KefuError as exc:
        return render(
            request,
            "feedback/card.html",
            _card_page(request, card, error=exc.text(), note=request.POST.get("note", "")),
            status=exc.status,
        )
    messages.success(request, _("Card marked as handled."))
    return redirect("feedback:cards")


# ---- compensation ------------------------------------------------------------------------------


@staff_required
def compensations(request):
    _needs(request, "feedback.compensation.request")
    status = request.GET.get("status") or None
    status = status if status in CompensationStatus.values else None
    store = request.GET.get("store") or None
    since, until = period(request)
    reports = can(request.user, "feedback.reports")
    return render(
        request,
        "feedback/compensations.html",
        {
            "decide": list(selectors.decidable_by(request.user)[:100]),
            "page": _page(
                request, selectors.compensation_list(request.user, status=status, store=store)
            ),
            "summary": selectors.compensation_summary(request.user, since=since, until=until)
            if reports
            else None,
            "since": since,
            "until": until,
            "status": status or "",
            "store": store or "",
            "statuses": CompensationStatus.choices,
            "stores": stores_for(request.user),
            "query": _query(request),
        },
    )


# ---- satisfaction ------------------------------------------------------------------------------


@staff_required
def surveys(request):
    _needs(request, "feedback.reports")
    since, until = period(request)
    threshold = FeedbackSettings.current().low_score_threshold
    store = request.GET.get("store") or None
    low = request.GET.get("low") == "1"
    return render(
        request,
        "feedback/surveys.html",
        {
            "summary": selectors.csat_by_store(
                request.user, since=since, until=until, threshold=threshold
            ),
            "page": _page(
                request,
                selectors.answered_surveys(
                    request.user, store=store, low_only=low, threshold=threshold
                ),
            ),
            "since": since,
            "until": until,
            "store": store or "",
            "low": low,
            "threshold": threshold,
            "stores": stores_for(request.user),
            "query": _query(request),
        },
    )
