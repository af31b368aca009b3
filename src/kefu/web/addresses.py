"""Page addresses asked of the URL map once per process instead of on every use.

``reverse()`` walks Django's URL map, quotes and checks each argument: ~95 Python function
calls an address. The ticket page drew ~50 (a form per action, 16 top-bar links), a list
page one or more a row, and only the numbers in them change. ``address(name, *numbers)`` asks
``reverse()`` once per URL name and count of arguments with probe numbers in their places,
keeps the address cut around them, and afterwards puts the real numbers in. Used by the
``{% url %}`` tag of every template (kefu.web.templatetags.kefu_url, a template builtin);
``addresses_of(name)`` serves a list page's rows (the desk queue's links to each ticket).

Only non-negative ``int`` arguments take this path (every numeric converter spells them as
their digits); anything else, keyword arguments, and a name whose address a second probe does
not confirm go to ``reverse()`` as before. The cut is kept per URL map, script prefix,
language and current app, so a test's own URL map or Kefu served below a prefix get theirs.
``tests/web/test_addresses.py`` compares it with ``reverse()`` for every named address."""

import functools
from collections.abc import Callable

from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_PROBES = (9876543210, 9876543211, 9876543212, 9876543213)
_CHECKS = (7, 1, 20, 305)


def _fill(pieces: tuple[str, ...], numbers) -> str:
    out = [pieces[0]]
    for number, piece in zip(numbers, pieces[1:], strict=True):
        out.append(str(number))
        out.append(piece)
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def _pieces(resolver, prefix, language, view_name, count: int, current_app) -> tuple | None:
    """The address of ``view_name`` with ``count`` numbers, cut around their places; None
    where probe numbers cannot stand in for real ones."""
    if count > len(_PROBES):
        return None
    probes, checks = _PROBES[:count], _CHECKS[:count]
    try:
        probed = reverse(view_name, args=probes, current_app=current_app)
        checked = reverse(view_name, args=checks, current_app=current_app)
    except NoReverseMatch:
        return None
    pieces, rest = [], probed
    for probe in map(str, probes):
        if rest.count(probe) != 1:
            return None
        head, rest = rest.split(probe)
        pieces.append(head)
    pieces.append(rest)
    pieces = tuple(pieces)
    return pieces if _fill(pieces, checks) == checked else None


def _kept(view_name, count: int, current_app) -> tuple | None:
    return _pieces(
        get_resolver(get_urlconf()),
        get_script_prefix(),
        get_language(),
        view_name,
        count,
        current_app,
    )


def _numbers(values) -> bool:
    return all(type(n) is int and n >= 0 for n in values)


def address(view_name, *numbers, current_app=None) -> str:
    """``reverse(view_name, args=numbers, current_app=current_app)``, from the kept cut when
    every argument is a non-negative int."""
    if _numbers(numbers) and (pieces := _kept(view_name, len(numbers), current_app)):
        return _fill(pieces, numbers)
    return reverse(view_name, args=numbers, current_app=current_app)


def addresses_of(view_name) -> Callable[[int], str]:
    """``address(view_name, n)`` for the many numbers of one page (a list's rows): the kept
    cut looked up once, each address then a join of three strings."""
    pieces = _kept(view_name, 1, None)
    if pieces is None:
        return lambda n: address(view_name, n)
    head, tail = pieces
    return lambda n: f"{head}{n}{tail}" if _numbers((n,)) else address(view_name, n)
