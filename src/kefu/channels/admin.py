"""Admin: integrators' webhooks are set up here; the delivery logs are read-only (they change
only through the senders)."""

from django.contrib import admin

from .models import Call, CustomerChannel, Delivery, Webhook, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "is_active", "consecutive_failures", "disabled_at")
    readonly_fields = ("consecutive_failures", "disabled_at")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = (
        "ticket",
        "channel",
        "to_masked",
        "template",
        "status",
        "attempts",
        "created_at",
    )
    list_filter = ("channel", "status", "template")
    # The real address and the text stay out of the admin list; the masked address is enough.
    exclude = ("to", "body", "params")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly):
    list_display = (
        "webhook",
        "event",
        "ticket",
        "status",
        "attempts",
        "response_code",
        "created_at",
    )
    list_filter = ("status", "event")


@admin.register(CustomerChannel)
class CustomerChannelAdmin(admin.ModelAdmin):
    list_display = ("customer", "channel", "opted_out", "created_at")
    list_filter = ("channel", "opted_out")
    raw_id_fields = ("customer",)


@admin.register(Call)
class CallAdmin(ReadOnly):
    """The hotline's call log (events from the call-centre and calls logged at the desk)."""

    list_display = ("call_id", "phone_masked", "status", "ticket", "agent", "created_at")
    list_filter = ("status",)
    # The real number stays out of the admin; the masked one is enough.
    exclude = ("phone",)
