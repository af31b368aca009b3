from django.contrib import admin

from .models import Tag, Ticket, TicketEvent


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


class EventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ("created_at", "kind", "actor", "public", "body")
    readonly_fields = fields
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-mostly: tickets change through the desk and the API, where every change is on the timeline."""

    list_display = (
        "number",
        "subject",
        "type",
        "status",
        "priority",
        "escalation_tier",
        "store",
        "assignee",
        "created_at",
    )
    list_filter = ("status", "type", "priority", "escalation_tier", "store")
    search_fields = ("=number",)
    raw_id_fields = ("customer", "purchase", "assignee", "created_by")
    readonly_fields = [f.name for f in Ticket._meta.fields]
    inlines = [EventInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False
