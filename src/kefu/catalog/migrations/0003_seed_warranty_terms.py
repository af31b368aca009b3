"""Seed the seven 三包 categories and their terms: the statutory floor (kefu/aftersales/data)
with seed 002's company policy over it. Existing categories keep their names; existing terms
rows are left alone."""

from django.db import migrations

CATEGORIES = [
    ("refrigerator", "冰箱", "Refrigerator"),
    ("washing_machine", "洗衣机", "Washing machine"),
    ("air_conditioner", "空调", "Air conditioner"),
    ("tv", "电视", "TV"),
    ("mobile_phone", "手机", "Mobile phone"),
    ("computer", "电脑", "Computer"),
    ("other", "其他", "Other"),
]


def seed(apps, schema_editor):
    from kefu.catalog.models import terms_field_values
    from kefu.catalog.terms import company_terms

    ProductCategory = apps.get_model("catalog", "ProductCategory")
    WarrantyTerms = apps.get_model("catalog", "WarrantyTerms")
    for code, name, name_en in CATEGORIES:
        category, _ = ProductCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
        if not WarrantyTerms.objects.filter(category=category).exists():
            WarrantyTerms.objects.create(
                category=category, **terms_field_values(company_terms(code))
            )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_warrantyterms")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
