from django.contrib import admin

from .models import ApiToken, Region, Staff, Store


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "calendar", "is_active")
    list_filter = ("region", "is_active")
    search_fields = ("code", "name")


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", "role", "store", "region")
    list_filter = ("role", "store", "region")
    search_fields = ("display_name", "user__username")
    autocomplete_fields = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "key_id", "created_at")
    readonly_fields = ("key_id", "created_at")
    search_fields = ("user__username",)

    def save_model(self, request, obj, form, change):
        if not obj.key_id:
            obj.key_id = ApiToken.new_key_id()
        super().save_model(request, obj, form, change)


# --------------------------------------------------------------------------- login lockouts
# django-axes' admin (access attempts, failures, logs), with an unlock action: deleting a
# username's or address's attempts lifts its lockout at once; the failure log stays as audit.
from axes.admin import AccessAttemptAdmin  # noqa: E402
from axes.models import AccessAttempt  # noqa: E402
from django.contrib import messages  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402
from django.utils.translation import ngettext  # noqa: E402


class KefuAccessAttemptAdmin(AccessAttemptAdmin):
    actions = [*AccessAttemptAdmin.actions, "unlock"]

    @admin.action(description=_("Unlock (clear the failed sign-ins)"))
    def unlock(self, request, queryset):
        for attempt in queryset:
            self.log_deletion(request, attempt, str(attempt))
        count, _rows = queryset.delete()
        self.message_user(
            request,
            ngettext("%(n)d lockout lifted.", "%(n)d lockouts lifted.", count) % {"n": count},
            messages.SUCCESS,
        )


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, KefuAccessAttemptAdmin)
