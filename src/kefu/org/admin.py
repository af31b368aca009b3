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
