"""Writes of the catalogue: seeding each category's 三包 terms from the shipped data."""

from django.db import transaction

from .models import ProductCategory, WarrantyTerms, engine_category, terms_field_values
from .terms import company_terms


@transaction.atomic
def seed_warranty_terms(categories=None) -> int:
    """Give every category without 三包 terms the default company terms (statutory floor + seed
    002's policy) as an editable row. Rows already there are left alone. Returns rows added."""
    categories = ProductCategory.objects.all() if categories is None else categories
    added = 0
    for category in categories.filter(warranty_terms__isnull=True):
        WarrantyTerms.objects.create(
            category=category, **terms_field_values(company_terms(engine_category(category.code)))
        )
        added += 1
    return added
