from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    ProductCategory,
    ProductModel,
    WarrantyTerms,
    engine_category,
    terms_field_values,
)
from .services import seed_warranty_terms
from .terms import load_terms


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "has_terms")
    actions = ["seed_terms"]

    @admin.display(boolean=True, description=_("三包 terms"))
    def has_terms(self, obj):
        return hasattr(obj, "warranty_terms")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("warranty_terms")

    @admin.action(description=_("Give the selected categories the default 三包 terms"))
    def seed_terms(self, request, queryset):
        added = seed_warranty_terms(queryset)
        self.message_user(
            request,
            ngettext("%(n)d category got its terms.", "%(n)d categories got their terms.", added)
            % {"n": added},
            messages.SUCCESS,
        )


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ("code", "brand", "name", "category", "guide_price", "discontinued_on")
    list_filter = ("category", "brand")
    search_fields = ("code", "name")


@admin.register(WarrantyTerms)
class WarrantyTermsAdmin(admin.ModelAdmin):
    """Company 三包 terms. Saving a term below the statutory floor is refused on that field (the
    model's clean() runs the engine's floor check); the floor is shown beside the form."""

    list_display = (
        "category",
        "return_days",
        "exchange_days",
        "warranty_months",
        "main_part_months",
        "depreciation_daily_rate",
        "updated_at",
    )
    readonly_fields = ("statutory_floor", "updated_at")
    fieldsets = (
        (None, {"fields": ("category", "note", "statutory_floor")}),
        (
            _("Windows and periods"),
            {
                "fields": (
                    "return_days",
                    "exchange_days",
                    "warranty_months",
                    "main_part_months",
                    "main_parts",
                    "accessories",
                )
            },
        ),
        (
            _("Exchange triggers and money"),
            {
                "fields": (
                    "depreciation_daily_rate",
                    "parts_missing_exchange_days",
                    "repairer_delay_exchange_days",
                    "repaired_works_days",
                    "parts_supply_years",
                )
            },
        ),
        (
            _("Consumer law"),
            {
                "fields": (
                    "distance_return_days",
                    "distance_refund_days",
                    "distance_channels",
                    "defect_burden_months",
                    "durable_goods",
                    "paid_repair_on_exclusion",
                )
            },
        ),
        (
            _("No invoice"),
            {
                "fields": (
                    "no_invoice_offset_months",
                    "no_invoice_offset_days",
                    "no_invoice_remedies",
                )
            },
        ),
        (None, {"fields": ("updated_at",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        # A row's category is fixed once saved: its floor depends on it.
        return (*self.readonly_fields, "category") if obj else self.readonly_fields

    @admin.display(description=_("statutory floor (国家三包规定)"))
    def statutory_floor(self, obj):
        if obj is None or not obj.category_id:
            return "—"
        floor = terms_field_values(load_terms(engine_category(obj.category.code)))
        labels = {f.name: f.verbose_name for f in WarrantyTerms._meta.fields}
        return format_html_join(
            "",
            "<div>{}: <strong>{}</strong></div>",
            ((labels[k], "—" if v is None or v == "" else v) for k, v in floor.items()),
        )
