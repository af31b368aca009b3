"""{% load feedback_tags %}: what the survey form needs where the view does not provide it
(the customer's tracking page belongs to kefu.web)."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.feedback.selectors import active_questions

register = template.Library()

SCORE_LABELS = {
    5: _("Very satisfied"),
    4: _("Satisfied"),
    3: _("Neutral"),
    2: _("Dissatisfied"),
    1: _("Very dissatisfied"),
}


@register.simple_tag
def survey_questions():

    return active_questions()


@register.simple_tag
def score_choices():
    return list(SCORE_LABELS.items())


@register.filter
def survey_open(survey) -> bool:
    return survey is not None and not survey.answered_at and survey.expires_at >= timezone.now()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
