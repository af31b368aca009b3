"""After-sales records (售后): return / exchange / repair orders, what 三包 has done to a purchase,
technicians and their field visits. Rules live in policy.py (pure); writes in services.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrderKind(models.TextChoices):
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")
    REPAIR = "repair", _("Repair")


class OrderStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Which state an order may move to from which (data, not if-chains). Done and cancelled are final.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.REQUESTED: frozenset({OrderStatus.APPROVED, OrderStatus.CANCELLED}),
    OrderStatus.APPROVED: frozenset({OrderStatus.IN_PROGRESS, OrderStatus.CANCELLED}),
    OrderStatus.IN_PROGRESS: frozenset({OrderStatus.DONE, OrderStatus.CANCELLED}),
    OrderStatus.DONE: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
OPEN_ORDER_STATUSES = (OrderStatus.REQUESTED, OrderStatus.APPROVED, OrderStatus.IN_PROGRESS)


class RepairOutcome(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    NOT_FIXED = "not_fixed", _("Not fixed")


class ServiceOrder(models.Model):
    """A return, exchange or repair order (退货单 / 换货单 / 维修单) carrying out a 三包 decision.

    ``remedy`` is the engine's remedy it carries out (a trade-in is an exchange with a fee, a paid
    repair a repair that is not free). The case and the decision are kept as they were when the
    order was made, so anyone can later see why it was granted."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="service_orders",
        verbose_name=_("ticket"),
    )
    purchase = models.ForeignKey(
        "customers.Purchase",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_orders",
        verbose_name=_("purchase"),
    )
    # Denormalised from the ticket so that a store's or region's orders are one index range.
    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", editable=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OrderKind.choices)
    remedy = models.CharField(_("remedy"), max_length=20)
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.REQUESTED
    )
    free = models.BooleanField(_("free of charge"), default=True)
    price = models.DecimalField(_("invoice price"), max_digits=12, decimal_places=2)
    refund = models.DecimalField(
        _("refund"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    depreciation_fee = models.DecimalField(
        _("depreciation fee"), max_digits=12, decimal_places=2, default=0
    )
    fee = models.DecimalField(
        _("fee the customer pays"), max_digits=12, decimal_places=2, default=0
    )
    symptom = models.CharField(
        _("fault (symptom)"),
        max_length=100,
        blank=True,
        help_text=_("Repairs of the same symptom count towards an exchange after two failures."),
    )
    case = models.JSONField(default=dict)
    decision = models.JSONField(default=dict)
    outcome = models.CharField(
        _("repair outcome"), max_length=10, choices=RepairOutcome.choices, blank=True
    )
    repair_days = models.PositiveIntegerField(_("days in repair"), default=0)
    parts_wait_days = models.PositiveIntegerField(_("days waiting for parts"), default=0)
    exchanged_on = models.DateField(_("exchanged on"), null=True, blank=True)
    new_warranty_start = models.DateField(null=True, blank=True)
    new_warranty_end = models.DateField(null=True, blank=True)
    new_main_parts_end = models.DateField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        indexes = [
            models.Index(fields=["ticket", "-id"], name="order_ticket"),
            models.Index(fields=["purchase", "kind", "status"], name="order_purchase"),
            models.Index(fields=["store", "status", "-id"], name="order_store_status"),
            models.Index(fields=["status", "kind", "started_at"], name="order_open_age"),
        ]

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"

    @property
    def number(self) -> str:
        """The number staff quote on the phone (SO000123)."""
        return f"SO{self.pk:06d}" if self.pk else "SO—"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ORDER_STATUSES

    def next_statuses(self) -> list[str]:
        return [s for s in OrderStatus.values if s in ORDER_TRANSITIONS[self.status]]


class WarrantyRecord(models.Model):
    """What after-sales has done to one purchase that later decisions must count (三包记录).

    Days in repair and waiting for parts extend the period (1995 rule Art. 8) and are left out
    of depreciation; an exchange starts a new full period on its day (R-RESTART) and the counts
    start again for the new unit. Kept beside the purchase, which the customers app owns."""

    purchase = models.OneToOneField(
        "customers.Purchase", on_delete=models.CASCADE, related_name="warranty_record"
    )
    repair_days = models.PositiveIntegerField(_("days in repair"), default=0)
    parts_wait_days = models.PositiveIntegerField(_("days waiting for parts"), default=0)
    exchanged_on = models.DateField(_("last exchanged on"), null=True, blank=True)
    warranty_start = models.DateField(null=True, blank=True)
    warranty_end = models.DateField(null=True, blank=True)
    main_parts_end = models.DateField(null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("warranty (三包) record")
        verbose_name_plural = _("warranty (三包) records")

    def __str__(self):
        return f"{self.purchase_id}"


class Technician(models.Model):
    """A technician's skills (categories they repair and install) and service area (stores and
    whole regions they cover): assignment only picks someone who has both (维修技师档案)."""

    staff = models.OneToOneField(
        "org.Staff",
        on_delete=models.CASCADE,
        related_name="technician",
        verbose_name=_("staff member"),
        limit_choices_to={"role": "technician"},
    )
    skills = models.ManyToManyField(
        "catalog.ProductCategory", blank=True, related_name="+", verbose_name=_("skills")
    )
    stores = models.ManyToManyField(
        "org.Store", blank=True, related_name="+", verbose_name=_("stores served")
    )
    regions = models.ManyToManyField(
        "org.Region", blank=True, related_name="+", verbose_name=_("regions served")
    )
    is_active = models.BooleanField(_("takes visits"), default=True)

    class Meta:
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")

    def __str__(self):
        return str(self.staff.display_name)


class VisitKind(models.TextChoices):
    INSTALLATION = "installation", _("Installation")
    REPAIR = "repair", _("On-site repair")
    INSPECTION = "inspection", _("Inspection")


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class VisitWindow(models.TextChoices):
    """Appointment slots (预约时段) a customer picks from; each technician has one visit per slot."""

    MORNING = "09-12", _("09:00–12:00")
    AFTERNOON = "13-17", _("13:00–17:00")
    EVENING = "18-20", _("18:00–20:00")


class VisitOutcome(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    NOT_FIXED = "not_fixed", _("Not fixed")
    NEEDS_PARTS = "needs_parts", _("Needs parts, will return")
    INSTALLED = "installed", _("Installed and set up")
    NO_FAULT = "no_fault", _("No fault found")
    CUSTOMER_ABSENT = "customer_absent", _("Customer not at home")


class FieldVisit(models.Model):
    """An on-site visit (上门服务): installation, repair or inspection, in one appointment slot,
    by one technician, and afterwards the visit record (arrival, diagnosis, parts, fee, outcome,
    the customer's confirmation)."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="field_visits",
        verbose_name=_("ticket"),
    )
    order = models.ForeignKey(
        ServiceOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("repair order"),
    )
    purchase = models.ForeignKey(
        "customers.Purchase",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("purchase"),
    )
    category = models.ForeignKey(
        "catalog.ProductCategory",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    store = models.ForeignKey(
        "org.Store", on_delete=models.PROTECT, related_name="+", editable=False
    )
    kind = models.CharField(_("kind"), max_length=15, choices=VisitKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED
    )
    # The fault being repaired; an on-site repair with no repair order counts towards R-2REPAIR by it.
    symptom = models.CharField(_("fault (symptom)"), max_length=100, blank=True)
    technician = models.ForeignKey(
        "org.Staff",
        on_delete=models.PROTECT,
        related_name="field_visits",
        verbose_name=_("technician"),
    )
    date = models.DateField(_("date"))
    window = models.CharField(_("time slot"), max_length=5, choices=VisitWindow.choices)
    reschedules = models.PositiveSmallIntegerField(_("times rescheduled"), default=0)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    diagnosis = models.TextField(_("diagnosis"), blank=True)
    parts_used = models.JSONField(_("parts used"), default=list, blank=True)
    fee = models.DecimalField(_("fee charged"), max_digits=12, decimal_places=2, default=0)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=VisitOutcome.choices, blank=True
    )
    customer_confirmed = models.BooleanField(_("customer confirmed"), default=False)
    confirmed_by = models.CharField(_("confirmed by (customer's name)"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "window", "id"]
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        indexes = [
            models.Index(fields=["technician", "status", "date"], name="visit_technician"),
            models.Index(fields=["ticket", "id"], name="visit_ticket"),
            models.Index(fields=["store", "status", "date"], name="visit_store"),
        ]
        constraints = [
            # A technician is in one place per slot: the database refuses a double booking even
            # when two dispatchers click at the same moment.
            models.UniqueConstraint(
                fields=["technician", "date", "window"],
                condition=Q(status="scheduled"),
                name="visit_one_per_slot",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date} {self.window}"


class VisitReschedule(models.Model):
    """One change of a visit's slot or technician, with why (改约记录)."""

    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="reschedule_log")
    previous_date = models.DateField()
    previous_window = models.CharField(max_length=5, choices=VisitWindow.choices)
    previous_technician = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    window = models.CharField(max_length=5, choices=VisitWindow.choices)
    technician = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.visit_id}: {self.previous_date} → {self.date}"
