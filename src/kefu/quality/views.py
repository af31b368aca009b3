"""Desk pages for service quality (/desk/quality/) and the two ticket-page panels. Views parse
the request, call services and selectors, and render; the rules live in rules.py and data/."""

import datetime

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.errors import KefuError
from kefu.org.selectors import can, staff_of
from kefu.tickets import selectors as ticket_selectors
from kefu.tickets.models import TicketType
from kefu.web.ticket_page import refuse_on_ticket_page, staff_required

from . import rules, selectors, services
from .models import QaReview, QualityPolicy, SelfAssessment


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def findings_context(request, text: str, findings: list[dict], *, checked: bool = True) -> dict:
    """What quality/_findings.html needs: the text cut into marked pieces, the findings
    list, and whether the sender may tick "send anyway" for a block finding."""
    blocks = [f for f in findings if f["severity"] == "block"]
    return {
        "checked": checked,
        "text": text,
        "findings": findings,
        "pieces": selectors.marked(text, findings),
        "blocks": len(blocks),
        "may_override": bool(blocks) and selectors.may_override(request.user),
        "override_checked": request.POST.get("override") == "1",
    }


# ---------------------------------------------------------------- as-you-type check


@require_POST
@staff_required
def check(request, pk):
    """The reply form's debounced check: a partial with the marked text and the findings."""
    ticket = ticket_selectors.get_ticket(request.user, pk)
    text = request.POST.get("body", "")[:20000]
    public = request.POST.get("public", "1") == "1"
    findings = (
        [f.to_dict() for f in selectors.check_reply(text, ticket=ticket)]
        if public and text.strip()
        else []
    )
    return render(
        request, "quality/_findings.html", findings_context(request, text, findings, checked=public)
    )


# ---------------------------------------------------------------- complaint guide


def complaint_panel(request, ticket) -> dict:
    """Ticket-page panel: the six-step checklist, root cause and summary (complaints only)."""
    if ticket.type != TicketType.COMPLAINT:
        return {"show": False}
    guide = selectors.guide_for(ticket)
    lang = get_language()
    steps = [
        {
            "code": s["code"],
            "title": rules.text(s, lang),
            "do": s["do"],
            "dont": s["dont"],
            "done": guide.steps.get(s["code"]),
        }
        for s in rules.complaint_steps()
    ]
    data = rules.load("complaint")
    posted = request.POST if request.method == "POST" else {}
    return {
        "show": True,
        "guide": guide,
        "steps": steps,
        "reminder": rules.text(data["reminder"], lang),
        "taboos": data["taboos"]["en" if lang and lang.startswith("en") else "zh"],
        "cause_groups": [
            {
                "title": rules.text(g, lang),
                "causes": [(c["code"], rules.text(c, lang)) for c in g["causes"]],
            }
            for g in data["root_causes"]
        ],
        "root_cause_label": rules.text(rules.root_causes()[guide.root_cause], lang)
        if guide.root_cause
        else "",
        "can_tick": can(request.user, "tickets.reply"),
        "can_root_cause": can(request.user, "tickets.status"),
        "agreed": posted.get("agreed", ""),
        "next_steps": posted.get("next_steps", ""),
        "staff": staff_of(request.user),
    }


def _guide_action(request, pk, action, success: str):
    """Run one guide action; htmx gets the fresh panel, a plain form a redirect. A refusal
    re-renders the ticket page with the message (and the summary drafts) and the 4xx status."""
    ticket = ticket_selectors.get_ticket(request.user, pk)
    partial = _htmx(request) and request.POST.get("partial") == "1"
    try:
        action(ticket)
    except KefuError as exc:
        if partial:  # htmx swaps only 2xx answers: the refusal shows inside the panel
            panel = {**complaint_panel(request, ticket), "error": exc.text()}
            return render(
                request, "quality/_complaint_panel.html", {"panel": panel, "ticket": ticket}
            )
        return refuse_on_ticket_page(request, pk, exc)
    if partial:
        ticket = ticket_selectors.get_ticket(request.user, pk)
        return render(
            request,
            "quality/_complaint_panel.html",
            {"panel": complaint_panel(request, ticket), "ticket": ticket},
        )
    messages.success(request, success)
    return redirect("desk:ticket", pk=pk)


@require_POST
@staff_required
def guide_step(request, pk):
    done = request.POST.get("done", "1") == "1"
    return _guide_action(
        request,
        pk,
        lambda t: services.tick_step(
            actor=request.user, ticket=t, step=request.POST.get("step", ""), done=done
        ),
        _("Complaint guide updated."),
    )


@require_POST
@staff_required
def guide_root_cause(request, pk):
    return _guide_action(
        request,
        pk,
        lambda t: services.set_root_cause(
            actor=request.user,
            ticket=t,
            code=request.POST.get("root_cause", ""),
            note=request.POST.get("root_cause_note", ""),
        ),
        _("Root cause recorded."),
    )


@require_POST
@staff_required
def guide_summary(request, pk):
    version = request.POST.get("version")

    def action(ticket):
        services.send_summary(
            actor=request.user,
            ticket=ticket,
            agreed=request.POST.get("agreed", ""),
            next_steps=request.POST.get("next_steps", ""),
            expected_version=int(version) if version and version.isdigit() else None,
            override=request.POST.get("override") == "1",
        )

    return _guide_action(request, pk, action, _("Summary sent to the customer."))


# ---------------------------------------------------------------- QA


def review_panel(request, ticket) -> dict:
    """Ticket-page panel for reviewers and summary readers: this ticket's scorecards."""
    if not (can(request.user, "quality.review") or can(request.user, "quality.summaries")):
        return {"show": False}
    # The panel shows each scorecard's own fields: none of the rows a review page joins.
    reviews = (
        selectors.reviews_visible_to(request.user)
        .filter(ticket_id=ticket.pk)
        .select_related(None)[:10]
    )
    return {
        "show": True,
        "reviews": list(reviews),
        "can_review": can(request.user, "quality.review"),
    }


def _week(value: str | None) -> datetime.date:
    """The Monday of the asked week; by default last week (the one the weekly task drew)."""
    try:
        day = (
            datetime.date.fromisoformat(value)
            if value
            else timezone.localdate() - datetime.timedelta(days=7)
        )
    except ValueError:
        day = timezone.localdate() - datetime.timedelta(days=7)
    return selectors.week_start(day)


@staff_required
def home(request):
    if not can(request.user, "quality.self_assessment"):
        return HttpResponseForbidden(_("Only the chain's own staff assess themselves."))
    staff = staff_of(request.user)
    latest = SelfAssessment.objects.filter(staff_id=staff.pk).first() if staff.pk else None
    return render(
        request,
        "quality/home.html",
        {
            "latest": latest,
            "band": _band(latest),
            "my_reviews": QaReview.objects.filter(agent=request.user).select_related("ticket")[:10],
            "can_review": can(request.user, "quality.review"),
            "can_summaries": can(request.user, "quality.summaries"),
            "can_team": can(request.user, "quality.team_assessments"),
        },
    )


@staff_required
def queue(request):
    if not can(request.user, "quality.review"):
        return HttpResponseForbidden(_("Only QA monitors and the CS manager review tickets."))
    monday = _week(request.GET.get("week"))
    samples = list(selectors.review_queue(request.user, monday)[:500])
    return render(
        request,
        "quality/queue.html",
        {
            "week": monday,
            "week_end": monday + datetime.timedelta(days=6),
            "samples": samples,
            "open": sum(1 for s in samples if s.review_id is None),
            "previous": monday - datetime.timedelta(days=7),
            "next": monday + datetime.timedelta(days=7),
        },
    )


@require_POST
@staff_required
def draw(request):
    if not can(request.user, "quality.review"):
        return HttpResponseForbidden(_("Only QA monitors and the CS manager review tickets."))
    monday = _week(request.POST.get("week"))
    added = services.sample_week(monday)
    messages.success(request, _("%(n)s tickets added to the sample.") % {"n": len(added)})
    return redirect(f"{reverse('quality:queue')}?week={monday.isoformat()}")


def _standards(lang, posted=None):
    posted = posted or {}
    return [
        {
            "code": side,
            "title": rules.text(spec, lang),
            "items": [
                {
                    "code": s["code"],
                    "title": rules.text(s, lang),
                    "help": rules.text(s, lang, "help"),
                    "score": posted.get(f"score_{s['code']}", ""),
                    "note": posted.get(f"note_{s['code']}", ""),
                }
                for s in spec["standards"]
            ],
        }
        for side, spec in rules.load("scorecard")["sides"].items()
    ]


@staff_required
def review(request, pk):
    """The scorecard form for one ticket (GET) and its submission (POST)."""
    if not can(request.user, "quality.review"):
        return HttpResponseForbidden(_("Only QA monitors and the CS manager review tickets."))
    ticket = ticket_selectors.get_ticket(request.user, pk, with_timeline=True)
    lang = get_language()
    context = {
        "ticket": ticket,
        "events": ticket.events.all(),
        "agent": services.agent_of(ticket),
        "sides": _standards(lang, request.POST if request.method == "POST" else None),
        "scale": range(1, 6),
        "comment": request.POST.get("comment", ""),
    }
    if request.method == "POST":
        scores = {
            code: {
                "score": request.POST.get(f"score_{code}"),
                "note": request.POST.get(f"note_{code}", ""),
            }
            for code in rules.standard_codes()
        }
        try:
            done = services.record_review(
                reviewer=request.user,
                ticket=ticket,
                scores=scores,
                comment=request.POST.get("comment", ""),
            )
        except KefuError as exc:
            return render(
                request,
                "quality/review_form.html",
                {**context, "error": exc.text(), "error_field": exc.field},
                status=exc.status,
            )
        messages.success(request, _("Scorecard saved."))
        return redirect("quality:review_detail", pk=done.pk)
    return render(request, "quality/review_form.html", context)


@staff_required
def review_detail(request, pk):
    found = selectors.get_review(request.user, pk)
    lang = get_language()
    sides = [
        {
            "title": rules.text(spec, lang),
            "items": [
                {"title": rules.text(s, lang), **found.scores.get(s["code"], {})}
                for s in spec["standards"]
            ],
        }
        for side, spec in rules.load("scorecard")["sides"].items()
    ]
    kind = rules.service_types()[found.service_type]
    return render(
        request,
        "quality/review_detail.html",
        {
            "review": found,
            "sides": sides,
            "type_label": rules.text(kind, lang),
            "type_message": rules.text(kind, lang, "message"),
        },
    )


@staff_required
def summary(request):
    if not can(request.user, "quality.summaries"):
        return HttpResponseForbidden(_("Your role does not see scorecard summaries."))
    try:
        days = max(1, min(int(request.GET.get("days", 90)), 3650))
    except ValueError:
        days = 90
    since = timezone.now() - datetime.timedelta(days=days)
    lang = get_language()
    types = {code: rules.text(t, lang) for code, t in rules.service_types().items()}
    return render(
        request,
        "quality/summary.html",
        {
            "days": days,
            "agents": selectors.agent_summaries(request.user, since=since),
            "stores": selectors.store_summaries(request.user, since=since),
            "types": types,
            "policy": QualityPolicy.current(),
        },
    )


# ---------------------------------------------------------------- self-assessment


def _band(assessment):
    if assessment is None:
        return None
    lang = get_language()
    band = next(b for b in rules.self_assessment()["bands"] if b["code"] == assessment.band)
    return {
        "code": band["code"],
        "title": rules.text(band, lang),
        "advice": rules.text(band, lang, "advice"),
    }


@staff_required
def self_assessment(request):
    """Take the self-assessment (ten statements, 10–1) and see one's own history."""
    staff = staff_of(request.user)
    lang = get_language()
    spec = rules.self_assessment()
    posted = request.POST if request.method == "POST" else {}
    statements = [
        {
            "n": i + 1,
            "high": rules.text(s, lang, "high"),
            "low": rules.text(s, lang, "low"),
            "value": posted.get(f"q{i + 1}", ""),
        }
        for i, s in enumerate(spec["statements"])
    ]
    context = {
        "statements": statements,
        "scale": range(spec["scale"]["max"], spec["scale"]["min"] - 1, -1),
        "bands": [
            {"title": rules.text(b, lang), "advice": rules.text(b, lang, "advice")}
            for b in spec["bands"]
        ],
        "person": staff,
    }
    if request.method == "POST":
        raw = [posted.get(f"q{i + 1}", "") for i in range(len(statements))]
        answers = [int(v) if v.isdigit() else v for v in raw]
        try:
            services.submit_self_assessment(actor=request.user, answers=answers)
        except KefuError as exc:
            context.update(error=exc.text(), history=_history(staff))
            return render(request, "quality/self_assessment.html", context, status=exc.status)
        messages.success(request, _("Self-assessment saved."))
        return redirect("quality:self_assessment")
    context["history"] = _history(staff)
    return render(request, "quality/self_assessment.html", context)


def _history(staff):
    if staff is None or staff.pk is None:
        return []
    rows = list(SelfAssessment.objects.filter(staff=staff)[:100])
    return [{"row": r, "band": _band(r)} for r in rows]


@staff_required
def team(request):
    """Coaches (trainers, managers) see the people in their scope and their latest total."""
    if not can(request.user, "quality.team_assessments"):
        return HttpResponseForbidden(_("Your role does not see other people's self-assessments."))
    latest = SelfAssessment.objects.filter(staff=OuterRef("pk")).order_by("-created_at", "-id")
    people = (
        selectors.staff_visible_to(request.user)
        .annotate(
            latest_total=Subquery(latest.values("total")[:1]),
            latest_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("display_name")[:300]
    )
    return render(request, "quality/team.html", {"people": people})


@staff_required
def person(request, staff_id):
    staff, rows = selectors.assessments_of(request.user, staff_id)
    return render(
        request,
        "quality/person.html",
        {"person": staff, "history": [{"row": r, "band": _band(r)} for r in rows[:100]]},
    )
