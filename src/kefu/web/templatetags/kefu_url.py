"""``{% url %}`` for every template (a builtin in settings.TEMPLATES): Django's tag, with the
addresses whose arguments are numbers taken from kefu.web.addresses instead of ``reverse()``
on every use. Keyword arguments and other values go to ``reverse()`` as in Django's tag."""

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape

from kefu.web.addresses import address

register = template.Library()


class AddressNode(defaulttags.URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            if kwargs:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
            else:
                url = address(view_name, *args, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return AddressNode(node.view_name, node.args, node.kwargs, node.asvar)
