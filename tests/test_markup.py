"""kefu.markup.format_html escapes exactly as Django's format_html does (issue 14: the queue's
rows are drawn with it)."""

import pytest
from django.utils import html as django_html
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from kefu import markup

VALUES = [
    '<script>alert("x")</script>',
    "Tom & Jerry's",
    "冰箱不制冷 #12",
    42,
    None,
    mark_safe("<b>safe</b>"),
    django_html.format_html("<i>{}</i>", "<already>"),
    gettext_lazy("Status"),
    "",
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_same_html_as_djangos_format_html(value, language):
    with translation.override(language):
        ours = markup.format_html('<td title="{}">{x}</td>', value, x=value)
        django = django_html.format_html('<td title="{}">{x}</td>', value, x=value)
    assert ours == django
    assert isinstance(ours, SafeString)


def test_unsafe_text_is_escaped_and_safe_html_kept():
    out = markup.format_html("{}{}", "<a href='x'>", mark_safe("<br>"))
    assert out == "&lt;a href=&#x27;x&#x27;&gt;<br>"
