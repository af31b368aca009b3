"""Reads of the catalogue: the 三包 terms a decision runs on."""

import logging

from kefu import rows

from .models import WarrantyTerms, engine_category
from .terms import CATEGORIES, CategoryTerms, TermsError, company_terms

log = logging.getLogger(__name__)

# Built terms per (category code, row updated_at): building one runs the floor checks, and the
# engine caches its sentence table per terms object, so a stable object per row version keeps
# a decision cheap. An edited row has a new updated_at and is rebuilt on next use.
_BUILT: dict[tuple, CategoryTerms] = {}
_MAX_BUILT = 256


@rows.prepared
def _terms_row(code: str):
    return WarrantyTerms.objects.select_related("category").filter(category__code=code)[:1]


def terms_for(code: str) -> CategoryTerms:
    """The terms a decision on category ``code`` runs on: the category's row (company policy over
    the statutory floor), or the default company terms from the JSON when it has no row.

    ``code`` is a catalogue code; codes the engine does not know are decided as "other". A row
    that no longer passes the floor (the shipped data rose above it) is ignored rather than let a
    customer get less than the law gives."""
    row = _terms_row.first(code)
    if row is None:
        return company_terms(engine_category(code))
    key = (code, row.pk, row.updated_at)
    built = _BUILT.get(key)
    if built is None:
        try:
            built = row.to_terms()
        except TermsError as exc:
            log.warning(
                "catalog: 三包 terms of %s fall below the statutory floor (%s); using the default",
                code,
                exc,
            )
            return company_terms(engine_category(code))
        if len(_BUILT) >= _MAX_BUILT:
            _BUILT.clear()
        _BUILT[key] = built
    return built


def known_categories() -> tuple[str, ...]:
    """The category codes the 三包 engine decides on (the API's `category` values)."""
    return CATEGORIES
