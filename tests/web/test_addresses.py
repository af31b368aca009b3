"""kefu.web.addresses and the {% url %} builtin built on it: the same addresses reverse() gives."""

import re

import pytest
from django.template import Context, Engine, Template, engines
from django.urls import NoReverseMatch, get_resolver, reverse, set_script_prefix
from django.urls.resolvers import URLPattern, URLResolver
from django.utils import translation

from kefu.web import addresses
from kefu.web.addresses import address


def named_patterns(resolver=None, namespace=""):
    """(name, number of arguments) of every named address in Kefu's URL map."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (
                f"{namespace}{entry.name}",
                len(entry.pattern.regex.groupindex)
                or len(re.findall(r"\((?!\?)", entry.pattern.regex.pattern)),
            )


def test_every_named_address_is_what_reverse_gives():
    checked = 0
    for name, count in named_patterns():
        for numbers in ((1,) * count, tuple(range(40, 40 + count)), (123456789,) * count):
            try:
                expected = reverse(name, args=numbers)
            except NoReverseMatch:
                with pytest.raises(NoReverseMatch):
                    address(name, *numbers)
                continue
            assert address(name, *numbers) == expected, name
            checked += 1
    assert checked > 150


def test_the_ticket_page_s_address_is_kept_and_filled():
    addresses._pieces.cache_clear()
    assert address("desk:ticket", 12) == reverse("desk:ticket", args=[12]) == "/desk/tickets/12/"
    assert address("desk:ticket", 99) == "/desk/tickets/99/"
    assert addresses._pieces.cache_info().hits >= 1


def test_what_is_not_a_number_goes_to_reverse():
    assert address("desk:ticket", "12") == reverse("desk:ticket", args=["12"])
    with pytest.raises(NoReverseMatch):
        address("desk:ticket", -1)
    with pytest.raises(NoReverseMatch):
        address("desk:ticket", True)  # a bool is an int to Python, not to a URL
    with pytest.raises(NoReverseMatch):
        address("desk:no-such-page")


def test_another_script_prefix_gets_its_own_addresses():
    set_script_prefix("/kefu/")
    try:
        assert (
            address("desk:ticket", 5) == "/kefu/desk/tickets/5/" == reverse("desk:ticket", args=[5])
        )
        assert address("desk:queue") == "/kefu/desk/"
    finally:
        set_script_prefix("/")
    assert address("desk:ticket", 5) == "/desk/tickets/5/"


def test_the_url_tag_of_every_template_is_kefu_s():
    engine = engines["django"].engine
    t = engine.from_string(
        "{% url 'desk:ticket' pk %}|{% url 'desk:ticket' pk as a %}{{ a }}|"
        "{% url 'desk:ticket' pk=pk %}|{% url 'portal:track' word %}|{% url 'desk:queue' %}|"
        "{% url 'portal:track_quote' word pk %}|"
        "{% url 'no-such-page' as missing %}[{{ missing }}]"
    )
    out = t.render(Context({"pk": 7, "word": "x<y"}))
    assert out == (
        "/desk/tickets/7/|/desk/tickets/7/|/desk/tickets/7/|/t/x%3Cy/|/desk/|/t/x%3Cy/quotes/7/|[]"
    )
    with pytest.raises(NoReverseMatch):
        engine.from_string("{% url 'no-such-page' 3 %}").render(Context({}))
    # Django's own engine (no builtin of ours) gives the same.
    plain = Template(t.source, engine=Engine()).render(Context({"pk": 7, "word": "x<y"}))
    assert plain == out


def test_in_english_too():
    with translation.override("en"):
        assert address("desk:ticket", 3) == reverse("desk:ticket", args=[3])


def test_a_list_page_s_addresses_are_the_same():
    from kefu.web.addresses import addresses_of

    ticket_page = addresses_of("desk:ticket")
    for pk in (0, 7, 123456789):
        assert ticket_page(pk) == reverse("desk:ticket", args=[pk])
    assert addresses_of("portal:track")("x<y") == reverse("portal:track", args=["x<y"])
    with pytest.raises(NoReverseMatch):
        ticket_page(-1)
