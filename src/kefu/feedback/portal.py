"""The customer's side: answer a satisfaction survey, leave a feedback card (意见卡)."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kefu.customers.models import Gender
from kefu.errors import KefuError, NotFound
from kefu.org.models import Store
from kefu.web.portal_page import over_rate_limit, private_page

from . import rules, selectors, services
from .models import CardCategory, FeedbackSettings

SCORES = [5, 4, 3, 2, 1]


def survey_context(survey, **extra) -> dict:
    """What the survey form needs; the tracking page includes the same form."""
    return {
        "survey": survey,
        "questions": selectors.active_questions(),
        "scores": SCORES,
        "expired": survey.expires_at < timezone.now(),
        **extra,
    }


@never_cache
def survey(request, token):
    """The survey at its own private link. One answer per ticket; the form posts here."""
    try:
        found = selectors.survey_by_token(token)
    except NotFound:
        return private_page(render(request, "portal/not_found.html", status=404))
    if request.method != "POST":
        return private_page(render(request, "feedback/portal_survey.html", survey_context(found)))
    form = request.POST
    answers = {key.removeprefix("q_"): value for key, value in form.items() if key.startswith("q_")}
    try:
        found = services.answer_survey(
            token=token, csat=form.get("csat"), answers=answers, comment=form.get("comment", "")
        )
    except KefuError as exc:
        found = selectors.survey_by_token(token)
        return private_page(
            render(
                request,
                "feedback/portal_survey.html",
                survey_context(found, error=exc.text(), error_code=exc.code, form=form),
                status=exc.status,
            )
        )
    low = rules.is_low_score(found.csat, FeedbackSettings.current().low_score_threshold)
    return private_page(
        render(request, "feedback/portal_survey.html", survey_context(found, thanks=True, low=low))
    )


def card(request):
    """A feedback card for a store: praise, a suggestion, a complaint or anything else; the name
    and mobile are optional (leave both empty to stay anonymous). Rate-limited like the ticket form."""
    context = {
        "stores": Store.objects.filter(is_active=True).select_related("region"),
        "categories": CardCategory.choices,
        "genders": Gender.choices,
        "form": request.POST
        if request.method == "POST"
        else {"store": request.GET.get("store", "")},
    }
    if request.method != "POST":
        return render(
            request,
            "feedback/portal_card.html",
            {**context, "thanks": request.GET.get("sent") == "1"},
        )
    if over_rate_limit(request):
        return render(
            request,
            "feedback/portal_card.html",
            {
                **context,
                "error": _(
                    "Too many requests from your network in the last hour. Please call our hotline or try again later."
                ),
            },
            status=429,
        )
    form = request.POST
    try:
        services.submit_card(
            store=form.get("store", ""),
            category=form.get("category", ""),
            text=form.get("text", ""),
            name=form.get("name", ""),
            phone=form.get("phone", ""),
            gender=form.get("gender") or None,
            consent=bool(form.get("consent")),
        )
    except KefuError as exc:
        return render(
            request,
            "feedback/portal_card.html",
            {**context, "error": exc.text(), "error_field": exc.field},
            status=exc.status,
        )
    # Post/redirect/get: a reload of the thank-you page does not send the card twice.
    return redirect(f"{reverse('portal:feedback_card')}?sent=1")
