from django.contrib import admin

from .models import FieldVisit, ServiceOrder, Technician, VisitReschedule, WarrantyRecord


@admin.register(Technician)
class TechnicianAdmin(admin.ModelAdmin):
    """Technicians' skills and service areas: what assignment checks."""

    list_display = ("staff", "is_active")
    list_filter = ("is_active", "skills", "regions")
    filter_horizontal = ("skills", "stores", "regions")
    raw_id_fields = ("staff",)


@admin.register(ServiceOrder)
class ServiceOrderAdmin(admin.ModelAdmin):
    """Read-only: orders change through the desk and the API, where each change is on the timeline."""

    list_display = ("number", "kind", "remedy", "status", "store", "refund", "fee", "created_at")
    list_filter = ("kind", "status", "store")
    readonly_fields = [f.name for f in ServiceOrder._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


class RescheduleInline(admin.TabularInline):
    model = VisitReschedule
    extra = 0
    can_delete = False
    readonly_fields = (
        "previous_date",
        "previous_window",
        "previous_technician",
        "date",
        "window",
        "technician",
        "reason",
        "actor",
        "created_at",
    )


@admin.register(FieldVisit)
class FieldVisitAdmin(admin.ModelAdmin):
    list_display = ("date", "window", "kind", "technician", "store", "status", "outcome")
    list_filter = ("status", "kind", "window", "store")
    readonly_fields = [f.name for f in FieldVisit._meta.fields]
    inlines = [RescheduleInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


@admin.register(WarrantyRecord)
class WarrantyRecordAdmin(admin.ModelAdmin):
    list_display = (
        "purchase",
        "repair_days",
        "parts_wait_days",
        "exchanged_on",
        "warranty_end",
        "returned_on",
    )
    readonly_fields = [f.name for f in WarrantyRecord._meta.fields]

    def has_add_permission(self, request):
        return False
