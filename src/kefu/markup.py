"""HTML drawn in Python for the rows a list page repeats (the desk's queue rows, their SLA
badges): Django's ``format_html`` with the same escaping, without its per-argument cost.

``format_html`` escapes each argument through ``conditional_escape``, which Django wraps in
``keep_lazy`` (a scan of the arguments for lazy strings on every call); a queue row has 18 of
them (about a sixth of the row's drawing, issue 14). Here an argument that is
already HTML (``__html__``: ``mark_safe``, ``format_html``) is kept, anything else (lazy
translations included) is made a string and escaped with ``html.escape``, as Django's
``escape`` does."""

from html import escape

from django.utils.safestring import SafeString, mark_safe


def html_text(value) -> str:
    """``value`` as HTML: escaped unless it is HTML already (``conditional_escape``)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def format_html(template: str, /, *args, **kwargs) -> SafeString:
    """``django.utils.html.format_html``: ``template`` formatted with escaped arguments."""
    return mark_safe(
        template.format(
            *[html_text(a) for a in args], **{k: html_text(v) for k, v in kwargs.items()}
        )
    )
