from django.contrib import admin

from units.admin import ScopedAdmin

from .models import Publication


@admin.register(Publication)
class PublicationAdmin(ScopedAdmin):
    unit_field = "office"
    list_display = ["name", "office", "kind", "schedule", "points_full", "points_brief", "is_public", "is_active"]
    list_filter = ["kind", "schedule", "is_public", "is_active"]
    search_fields = ["name", "office__name"]
    list_select_related = ["office"]
