"""Product categories and models (商品类别与型号)."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .terms import CATEGORIES, TermsError, apply_company_policy, load_terms


class ProductCategory(models.Model):
    """A product category; its 三包 terms (warranty periods, windows, rates) hang off it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self):
        return self.name


class ProductModel(models.Model):
    """A product model (型号). Spare parts are owed for 5 years after it is discontinued."""

    category = models.ForeignKey(
        ProductCategory, on_delete=models.PROTECT, related_name="models", verbose_name=_("category")
    )
    brand = models.CharField(_("brand"), max_length=50)
    code = models.CharField(_("model code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    guide_price = models.DecimalField(
        _("guide price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    discontinued_on = models.DateField(_("discontinued on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product model")
        verbose_name_plural = _("product models")

    def __str__(self):
        return f"{self.brand} {self.name} ({self.code})"


def engine_category(code: str) -> str:
    """The 三包 engine's category for a catalogue code: itself when the engine knows it, else
    "other" (goods with no national 三包 rule fall under 消法 Art. 24)."""
    return code if code in CATEGORIES else "other"


def _split(text: str) -> list[str]:
    """A list typed into one box: 、 , ， ; and spaces all separate items."""
    for sep in "，,;；\n":
        text = text.replace(sep, "、")
    return [item.strip() for item in text.split("、") if item.strip()]


def terms_field_values(terms) -> dict:
    """Model field values for a kefu.catalog.terms.CategoryTerms (used to seed rows)."""
    return {
        "return_days": terms.return_days,
        "exchange_days": terms.exchange_days,
        "warranty_months": terms.warranty_months,
        "main_part_months": terms.main_part_months,
        "main_parts": "、".join(terms.main_parts),
        "accessories": {
            k: {"months": a.months, "name_zh": a.name_zh} for k, a in terms.accessories.items()
        },
        "depreciation_daily_rate": terms.depreciation_daily_rate,
        "parts_missing_exchange_days": terms.parts_missing_exchange_days,
        "repairer_delay_exchange_days": terms.repairer_delay_exchange_days,
        "repaired_works_days": terms.repaired_works_days,
        "parts_supply_years": terms.parts_supply_years,
        "distance_return_days": terms.distance_return_days,
        "distance_refund_days": terms.distance_refund_days,
        "distance_channels": ",".join(terms.distance_channels),
        "defect_burden_months": terms.defect_burden_months,
        "durable_goods": terms.durable_goods,
        "paid_repair_on_exclusion": terms.paid_repair_on_exclusion,
        "no_invoice_offset_months": terms.no_invoice.production_offset_months,
        "no_invoice_offset_days": terms.no_invoice.production_offset_days,
        "no_invoice_remedies": ",".join(terms.no_invoice.remedies),
    }


# Where a refusal from kefu.catalog.terms (named by term) shows in the form (named by field).
_FIELD_OF_TERM = {
    "no_invoice": "no_invoice_offset_months",
    "production_offset_months": "no_invoice_offset_months",
    "production_offset_days": "no_invoice_offset_days",
    "remedies": "no_invoice_remedies",
}


class WarrantyTerms(models.Model):
    """A category's 三包 terms as the company applies them (公司政策).

    The statutory floor (国家三包规定) is data shipped in kefu/aftersales/data/<code>.json; a row
    here may only move a term in the customer's favour. clean() and save() refuse anything less
    generous with the engine's own message (apply_company_policy), so the admin, any form and
    any code path get the same refusal. Rows are seeded from the company default (statutory +
    seed 002's policy); a category without a row uses that default straight from the JSON."""

    category = models.OneToOneField(
        ProductCategory,
        on_delete=models.CASCADE,
        related_name="warranty_terms",
        verbose_name=_("category"),
    )
    return_days = models.PositiveSmallIntegerField(_("return window (days)"))
    exchange_days = models.PositiveSmallIntegerField(_("exchange window (days)"))
    warranty_months = models.PositiveSmallIntegerField(_("whole-unit warranty (months)"))
    main_part_months = models.PositiveSmallIntegerField(_("main-part warranty (months)"))
    main_parts = models.CharField(
        _("main parts"), max_length=200, blank=True, help_text=_("Separated by 、 or commas.")
    )
    accessories = models.JSONField(
        _("accessories with their own period"),
        default=dict,
        blank=True,
        help_text=_('e.g. {"battery": {"months": 6, "name_zh": "电池"}}'),
    )
    depreciation_daily_rate = models.DecimalField(
        _("daily depreciation rate"),
        max_digits=7,
        decimal_places=5,
        help_text=_("e.g. 0.001: each day used costs the invoice price × 0.001."),
    )
    parts_missing_exchange_days = models.PositiveSmallIntegerField(
        _("exchange when parts are missing after (days)")
    )
    repairer_delay_exchange_days = models.PositiveSmallIntegerField(
        _("exchange when the repairer is late after (days)")
    )
    repaired_works_days = models.PositiveSmallIntegerField(
        _("a repaired product must then work (days)")
    )
    parts_supply_years = models.PositiveSmallIntegerField(
        _("spare parts supplied after discontinuation (years)")
    )
    distance_return_days = models.PositiveSmallIntegerField(
        _("no-reason return for distance sales (days)")
    )
    distance_refund_days = models.PositiveSmallIntegerField(
        _("refund of a no-reason return within (days)")
    )
    distance_channels = models.CharField(
        _("channels with no-reason returns"),
        max_length=50,
        blank=True,
        help_text=_("Comma-separated: store, online, phone."),
    )
    defect_burden_months = models.PositiveSmallIntegerField(
        _("business proves there is no defect for (months)")
    )
    durable_goods = models.BooleanField(_("durable goods"))
    paid_repair_on_exclusion = models.BooleanField(_("offer paid repair where 三包 does not apply"))
    no_invoice_offset_months = models.PositiveSmallIntegerField(
        _("no invoice: period starts this many months after production"),
        null=True,
        blank=True,
        help_text=_("Empty: the production date starts no period."),
    )
    no_invoice_offset_days = models.PositiveSmallIntegerField(_("no invoice: plus days"), default=0)
    no_invoice_remedies = models.CharField(
        _("no invoice: remedies kept"),
        max_length=50,
        blank=True,
        help_text=_("Comma-separated: return, exchange, repair."),
    )
    note = models.CharField(_("why the company differs from the law"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["category_id"]
        verbose_name = _("warranty (三包) terms")
        verbose_name_plural = _("warranty (三包) terms")

    def __str__(self):
        return str(self.category)

    def save(self, *args, **kwargs):
        # Code that skips full_clean() must not slip a term below the floor either.
        self.clean()
        super().save(*args, **kwargs)

    @property
    def engine_category(self) -> str:
        return engine_category(self.category.code)

    def overrides(self) -> dict:
        """The row as a company policy over the statutory terms (JSON-shaped, every term)."""
        values = {
            name: getattr(self, name)
            for name in (
                "return_days",
                "exchange_days",
                "warranty_months",
                "main_part_months",
                "parts_missing_exchange_days",
                "repairer_delay_exchange_days",
                "repaired_works_days",
                "parts_supply_years",
                "distance_return_days",
                "distance_refund_days",
                "defect_burden_months",
                "durable_goods",
                "paid_repair_on_exclusion",
                "accessories",
            )
        }
        values["depreciation_daily_rate"] = str(self.depreciation_daily_rate)
        values["main_parts"] = _split(self.main_parts or "")
        values["distance_channels"] = _split(self.distance_channels or "")
        values["no_invoice"] = {
            "production_offset_months": self.no_invoice_offset_months,
            "production_offset_days": self.no_invoice_offset_days,
            "remedies": _split(self.no_invoice_remedies or ""),
        }
        return values

    def to_terms(self):
        """The engine's CategoryTerms for this row; raises TermsError below the statutory floor."""
        return apply_company_policy(load_terms(self.engine_category), self.overrides())

    def clean(self):

        if not self.category_id:
            return  # the form reports the missing category itself
        try:
            self.to_terms()
        except TermsError as exc:
            english = (get_language() or "").startswith("en")
            field = _FIELD_OF_TERM.get(exc.field, exc.field)
            if exc.field == "no_invoice" and not self._keeps_no_invoice_remedies():
                field = "no_invoice_remedies"
            known = {f.name for f in self._meta.get_fields()}
            raise ValidationError(
                {
                    field if field in known else NON_FIELD_ERRORS: exc.message_en
                    if english
                    else exc.message_zh
                }
            ) from None

    def _keeps_no_invoice_remedies(self) -> bool:
        floor = load_terms(self.engine_category).no_invoice.remedies
        return set(floor) <= set(_split(self.no_invoice_remedies or ""))
