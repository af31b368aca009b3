from django.contrib import admin

from .models import ProductCategory, ProductModel


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ("code", "brand", "name", "category", "guide_price", "discontinued_on")
    list_filter = ("category", "brand")
    search_fields = ("code", "name")
