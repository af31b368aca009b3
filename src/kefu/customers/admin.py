from django.contrib import admin

from .models import Customer, PiiReveal, Purchase


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "masked_phone", "gender", "is_vip", "home_store", "created_at")
    list_filter = ("is_vip", "gender")
    search_fields = ("=phone", "name", "name_pinyin")
    raw_id_fields = ("home_store",)


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    list_display = (
        "model_name",
        "customer",
        "category",
        "sale_date",
        "price",
        "store",
        "sales_channel",
    )
    list_filter = ("category", "sales_channel", "is_sample_unit")
    raw_id_fields = ("customer",)
    search_fields = ("serial", "invoice_number")


@admin.register(PiiReveal)
class PiiRevealAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "customer", "fields", "context")
    list_filter = ("fields",)
    raw_id_fields = ("customer", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
