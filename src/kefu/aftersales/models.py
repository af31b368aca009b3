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
    # The day the sweep warned that R-REPAIRER-30 is near (warned once per order).
    delay_warned_on = models.DateField(null=True, blank=True)

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
    DELIVERY = "delivery", _("Delivery")
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


# --------------------------------------------------------------------------- service outlets


class OutletKind(models.TextChoices):
    OWN = "own", _("Own service centre")
    PARTNER = "partner", _("Partner outlet")


class ServiceOutlet(models.Model):
    """A service outlet (服务网点): the company's own or a third-party partner, with the regions
    and product categories it serves. Its warehouse holds its spare parts."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=OutletKind.choices)
    regions = models.ManyToManyField(
        "org.Region", blank=True, related_name="+", verbose_name=_("regions served")
    )
    categories = models.ManyToManyField(
        "catalog.ProductCategory", blank=True, related_name="+", verbose_name=_("categories")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service outlet")
        verbose_name_plural = _("service outlets")

    def __str__(self):
        return self.name


# --------------------------------------------------------------------------- spare parts


class Part(models.Model):
    """A spare part of one product model (配件目录): its code, name, catalogue price, and whether
    it is a 三包 main part (主要部件) — then ``main_part`` names the entry of the category's
    main-part list (catalog terms) it is, which decides the main-part warranty period."""

    product_model = models.ForeignKey(
        "catalog.ProductModel",
        on_delete=models.PROTECT,
        related_name="parts",
        verbose_name=_("product model"),
    )
    code = models.CharField(_("part code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_main_part = models.BooleanField(_("main part (三包)"), default=False)
    main_part = models.CharField(
        _("main-part list entry"),
        max_length=50,
        blank=True,
        help_text=_("The entry of the category's 三包 main-part list this part is."),
    )
    price = models.DecimalField(_("catalogue price"), max_digits=10, decimal_places=2)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["product_model_id", "code"]
        verbose_name = _("spare part")
        verbose_name_plural = _("spare parts")

    def __str__(self):
        return f"{self.code} {self.name}"


class WarehouseKind(models.TextChoices):
    CS = "cs", _("CS department warehouse")
    OUTLET = "outlet", _("Outlet warehouse")
    VAN = "van", _("Technician's van")


class Warehouse(models.Model):
    """Where parts are kept: the CS department's warehouse, a service outlet's, or a technician's
    van (车载库存)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=WarehouseKind.choices)
    outlet = models.ForeignKey(
        ServiceOutlet,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warehouses",
        verbose_name=_("service outlet"),
    )
    technician = models.OneToOneField(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="van",
        verbose_name=_("technician"),
    )

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self):
        return self.name


class StockLevel(models.Model):
    """How many of one part one warehouse holds. Below zero only through a recorded override."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock")
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="stock")
    quantity = models.IntegerField(_("quantity"), default=0)

    class Meta:
        ordering = ["warehouse_id", "part_id"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "part"], name="stock_one_row"),
        ]

    def __str__(self):
        return f"{self.warehouse_id}/{self.part_id}: {self.quantity}"


class MoveKind(models.TextChoices):
    RECEIVE = "receive", _("Received")
    CONSUME = "consume", _("Used on a visit")
    TRANSFER = "transfer", _("Transfer")
    OLD_RETURN = "old_return", _("Old part returned")


class StockMove(models.Model):
    """One movement of parts (出入库记录): into a warehouse, out of it onto a repair, or between
    two; an old part returned for the manufacturer's warranty claim. ``override`` records that
    someone took stock below zero knowingly, and why (``note``)."""

    kind = models.CharField(_("kind"), max_length=12, choices=MoveKind.choices)
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="moves")
    quantity = models.PositiveIntegerField(_("quantity"))
    source = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visit = models.ForeignKey(
        FieldVisit, null=True, blank=True, on_delete=models.PROTECT, related_name="part_moves"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override = models.BooleanField(_("below zero by override"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["part", "-id"], name="move_part")]

    def __str__(self):
        return f"{self.kind} {self.part_id} × {self.quantity}"


class PartRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class PartRequest(models.Model):
    """A technician's request for a part a repair is waiting for (配件申请). While it is open the
    purchase is waiting for parts: the days count towards R-PARTS when the part arrives, and the
    nightly sweep warns before the parts limit is reached."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="part_requests"
    )
    purchase = models.ForeignKey(
        "customers.Purchase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.ForeignKey(
        ServiceOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="requests")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    deliver_to = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PartRequestStatus.choices,
        default=PartRequestStatus.REQUESTED,
    )
    requested_on = models.DateField(_("requested on"))
    received_on = models.DateField(_("received on"), null=True, blank=True)
    wait_days = models.PositiveIntegerField(_("days waited"), default=0)
    warned_on = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "requested_on"], name="partreq_open")]

    def __str__(self):
        return f"{self.part_id} × {self.quantity} ({self.status})"


# --------------------------------------------------------------------------- fees and payments


class QuoteStatus(models.TextChoices):
    PROPOSED = "proposed", _("Shown to the customer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class FeeQuote(models.Model):
    """A paid repair's quote (维修报价), computed from the fee schedule and shown to the customer
    before the work; the customer accepts it on the visit record or on the tracking page."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="quotes")
    visit = models.ForeignKey(
        FieldVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    category = models.CharField(_("category"), max_length=40)
    job = models.CharField(_("job type"), max_length=20)
    distance_km = models.PositiveIntegerField(_("distance (km)"), default=0)
    lines = models.JSONField(default=list)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    free = models.BooleanField(_("free under 三包"), default=False)
    schedule_version = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.PROPOSED
    )
    accepted_via = models.CharField(max_length=10, blank=True)
    accepted_by = models.CharField(_("accepted by"), max_length=50, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"Q{self.pk} {self.total}"


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    DEPRECIATION = "depreciation", _("Depreciation charge")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CARD = "card", _("Bank card")
    TRANSFER = "transfer", _("Bank transfer")


class Payment(models.Model):
    """Money in or out (收款 / 退款 / 折旧费) with its method and receipt number."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="payments")
    quote = models.ForeignKey(
        FeeQuote, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    order = models.ForeignKey(
        ServiceOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PaymentKind.choices)
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    receipt_number = models.CharField(_("receipt number"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "receipt_number"], name="payment_receipt"),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount} ({self.receipt_number})"


# --------------------------------------------------------------------------- outlet jobs


class OutletMember(models.Model):
    """Who works for a service outlet (its manager and technicians): the outlet is their scope."""

    outlet = models.ForeignKey(ServiceOutlet, on_delete=models.CASCADE, related_name="members")
    staff = models.OneToOneField(
        "org.Staff", on_delete=models.CASCADE, related_name="outlet_membership"
    )

    class Meta:
        verbose_name = _("outlet member")
        verbose_name_plural = _("outlet members")

    def __str__(self):
        return f"{self.outlet_id}/{self.staff_id}"


class OutletJobStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("Sent to the outlet")
    ASSIGNED = "assigned", _("Technician booked")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class OutletJob(models.Model):
    """A field job sent to a service outlet (派单到网点): the outlet's manager books one of the
    outlet's own technicians, which makes the visit; the outlet sees only its own jobs."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="+")
    outlet = models.ForeignKey(ServiceOutlet, on_delete=models.PROTECT, related_name="jobs")
    kind = models.CharField(_("kind"), max_length=15, choices=VisitKind.choices)
    category = models.ForeignKey(
        "catalog.ProductCategory", on_delete=models.PROTECT, related_name="+"
    )
    symptom = models.CharField(_("fault (symptom)"), max_length=100, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=OutletJobStatus.choices,
        default=OutletJobStatus.DISPATCHED,
    )
    visit = models.OneToOneField(
        FieldVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="outlet_job"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["outlet", "status", "-id"], name="outletjob_outlet")]

    def __str__(self):
        return f"J{self.pk} {self.outlet_id}"


# --------------------------------------------------------------------------- warranty claims


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the manufacturer")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStatus.DRAFT: frozenset({ClaimStatus.SUBMITTED}),
    ClaimStatus.SUBMITTED: frozenset({ClaimStatus.APPROVED, ClaimStatus.REJECTED}),
    ClaimStatus.APPROVED: frozenset({ClaimStatus.PAID}),
    ClaimStatus.REJECTED: frozenset(),
    ClaimStatus.PAID: frozenset(),
}


class WarrantyClaim(models.Model):
    """A claim to the manufacturer (厂家索赔) for a free 三包 repair done: labour per the fee
    schedule and the parts used at catalogue price; one per visit."""

    visit = models.OneToOneField(FieldVisit, on_delete=models.PROTECT, related_name="claim")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="+")
    brand = models.CharField(_("manufacturer (brand)"), max_length=50)
    month = models.CharField(_("statement month"), max_length=7)  # YYYY-MM of the repair
    labour = models.DecimalField(_("labour"), max_digits=12, decimal_places=2)
    parts = models.DecimalField(_("parts"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    lines = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["month", "brand"], name="claim_month")]

    def __str__(self):
        return f"WC{self.pk:06d}" if self.pk else "WC—"

    @property
    def number(self) -> str:
        return f"WC{self.pk:06d}" if self.pk else "WC—"
