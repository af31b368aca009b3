"""Customers, their purchases and the audit log of personal-data reveals (客户与购买记录)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import names


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Unknown")


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=50)
    # Full pinyin ("zhangwei") and initials ("zw") for names typed in Latin letters; both indexed
    # so a prefix search is an index range, not a scan.
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(max_length=50, blank=True, editable=False, db_index=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    phone = models.CharField(_("mobile"), max_length=11, unique=True, null=True, blank=True)
    # Hotline agents ask for "the last four digits"; an indexed column answers that without a scan.
    phone_last4 = models.CharField(max_length=4, blank=True, editable=False, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # An agent's correction of how the customer wants to be addressed (阿依古丽女士, 王总); when
    # set it replaces the computed form everywhere: replies, scripts, macros, SMS, 回访.
    address_as = models.CharField(
        _("form of address"),
        max_length=20,
        blank=True,
        help_text=_(
            "How to address this customer, e.g. 阿依古丽女士; empty: from name and gender."
        ),
    )
    # Seed 001 2.2 记下客户的要求和特殊要求: what every colleague should know before serving this
    # customer (call after 18:00 only, elderly, needs stairs carried …). Shown on the ticket page.
    special_requirements = models.CharField(
        _("special requirements"), max_length=500, blank=True, default=""
    )
    is_vip = models.BooleanField(_("VIP"), default=False)
    consent_contact = models.BooleanField(_("agrees to follow-up calls and surveys"), default=True)
    consent_marketing = models.BooleanField(_("agrees to marketing"), default=False)
    home_store = models.ForeignKey(
        "org.Store",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("home store"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the customer was anonymised (PIPL erase or retention): irreversible.
    erased_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.name} {self.masked_phone}"

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = names.name_pinyin(self.name)
        self.phone_last4 = (self.phone or "")[-4:]
        super().save(*args, **kwargs)

    @property
    def honorific(self) -> str:
        return self.address_as.strip() or names.honorific(self.name, self.gender)

    @property
    def address_label(self) -> str:
        """张先生 / 张女士 / the agent's form; "" when unknown (lists show the name alone)."""
        return names.address_label(self.name, self.gender, self.address_as)

    @property
    def greeting(self) -> str:
        return names.greeting(self.name, self.gender, self.address_as)

    @property
    def masked_phone(self) -> str:
        return names.mask_phone(self.phone)

    @property
    def masked_address(self) -> str:
        return names.mask_address(self.address)


class SalesChannel(models.TextChoices):
    STORE = "store", _("In store")
    ONLINE = "online", _("Online")
    PHONE = "phone", _("By phone")


class Purchase(models.Model):
    """One product bought by a customer: the facts a 三包 decision starts from."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="purchases", verbose_name=_("customer")
    )
    store = models.ForeignKey(
        "org.Store",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="purchases",
        verbose_name=_("store"),
    )
    category = models.ForeignKey(
        "catalog.ProductCategory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("product model"),
    )
    model_name = models.CharField(_("model"), max_length=100)
    serial = models.CharField(_("serial number"), max_length=60, blank=True)
    sale_date = models.DateField(_("sale date"))
    invoice_number = models.CharField(
        _("invoice number"),
        max_length=40,
        blank=True,
        help_text=_("Empty when there is no invoice."),
    )
    has_warranty_card = models.BooleanField(_("warranty card"), default=True)
    production_date = models.DateField(_("production date"), null=True, blank=True)
    price = models.DecimalField(_("price (yuan)"), max_digits=12, decimal_places=2)
    is_sample_unit = models.BooleanField(_("sample unit (样机)"), default=False)
    sales_channel = models.CharField(
        _("sales channel"), max_length=10, choices=SalesChannel.choices, default=SalesChannel.STORE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sale_date", "-id"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        indexes = [models.Index(fields=["customer", "-sale_date"]), models.Index(fields=["serial"])]

    def __str__(self):
        return f"{self.model_name} {self.sale_date}"

    @property
    def has_invoice(self) -> bool:
        return bool(self.invoice_number)


class PiiReveal(models.Model):
    """Audit log: who saw a customer's full phone number or address, when, and where."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="pii_reveals")
    fields = models.CharField(max_length=100)
    context = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("personal-data reveal")
        verbose_name_plural = _("personal-data reveals")

    def __str__(self):
        return f"{self.user_id} → {self.customer_id} ({self.fields})"
