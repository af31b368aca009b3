"""Template helpers for service quality: data-pack text in the reader's language, and the
findings box of the reply form when a send was refused."""

from django import template
from django.utils.translation import get_language

from kefu.quality import rules, selectors
from kefu.quality.views import findings_context

register = template.Library()


@register.filter
def tr(item, key=""):
    """{{ item|tr }} or {{ item|tr:"help" }}: a data-pack entry's text in the reader's language."""
    return rules.text(item, get_language(), key) if isinstance(item, dict) else item


@register.filter
def service_type_label(code):
    kind = rules.service_types().get(code)
    return rules.text(kind, get_language()) if kind else (code or "—")


@register.inclusion_tag("quality/_findings.html", takes_context=True)
def reply_findings(context, ticket, draft):
    """The findings box under the reply form. Empty on a fresh page; after a refused public
    reply it shows the draft with the forbidden phrases marked (and "send anyway" where the
    policy allows), so the page works without JavaScript too."""

    request = context["request"]
    public = request.POST.get("public", "1") == "1" if request.method == "POST" else True
    if request.method != "POST" or not draft or not public:
        return {"checked": public, "findings": [], "pieces": [], "blocks": 0, "empty": True}
    findings = [f.to_dict() for f in selectors.check_reply(draft, ticket=ticket)]
    return findings_context(request, draft, findings)
