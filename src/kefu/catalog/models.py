"""Product categories and models (商品类别与型号)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    category = models.ForeignKey(ProductCategory, on_delete=models.PROTECT, related_name="models", verbose_name=_("category"))
    brand = models.CharField(_("brand"), max_length=50)
    code = models.CharField(_("model code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    guide_price = models.DecimalField(_("guide price"), max_digits=12, decimal_places=2, null=True, blank=True)
    discontinued_on = models.DateField(_("discontinued on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product model")
        verbose_name_plural = _("product models")

    def __str__(self):
        return f"{self.brand} {self.name} ({self.code})"
