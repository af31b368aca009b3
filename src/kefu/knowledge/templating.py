"""Macro templates: Django's template language with a closed vocabulary.

A macro may only use the placeholders below (``{{ customer.honorific }}`` …), with no tags and
no filters. The context holds plain strings, never model objects, so a template cannot reach
any attribute we did not put there. Replies are plain text, so autoescape is off."""

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import TextNode, VariableNode
from django.utils.translation import gettext_lazy as _

from kefu.errors import InvalidInput

# placeholder → what it means (shown in the macro editor and the picker)
PLACEHOLDERS = {
    "customer.name": "顾客姓名",
    "customer.honorific": "顾客称呼（张先生 / 张女士）",
    "customer.greeting": "问候语（张先生您好）",
    "ticket.number": "工单号",
    "ticket.subject": "工单主题",
    "ticket.status": "工单状态",
    "sla.solution_promised_at": "承诺解决时间",
    "agent.name": "坐席姓名",
    "store.name": "门店名称",
    "store.phone": "门店电话",
}

_ENGINE = Engine(autoescape=False, string_if_invalid="", builtins=[], libraries={})


def compile_macro(body: str):
    """The compiled template, or InvalidInput naming what is not allowed."""
    try:
        template = _ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        raise InvalidInput(
            _("The template cannot be read: %(error)s"), field="body", error=str(exc)
        ) from None
    for node in template.nodelist:
        if isinstance(node, TextNode):
            if "{{" in node.s or "{%" in node.s or "}}" in node.s:
                # A half-typed placeholder would reach the customer as it is.
                raise InvalidInput(_("A placeholder is not closed: {{ name }}."), field="body")
            continue
        if isinstance(node, VariableNode):
            expr = node.filter_expression
            name = str(expr.var)
            if not expr.filters and name in PLACEHOLDERS:
                continue
            raise InvalidInput(
                _("Unknown placeholder {{ %(name)s }}. Use one of: %(known)s"),
                field="body",
                name=expr.token,
                known="、".join(PLACEHOLDERS),
            )
        raise InvalidInput(_("Macros may only use placeholders, no template tags."), field="body")
    return template


def render_macro(body: str, values: dict) -> str:
    """Fill the placeholders of ``body`` from ``values`` ({"customer": {"name": …}, …})."""
    return compile_macro(body).render(Context(values, autoescape=False)).strip()
