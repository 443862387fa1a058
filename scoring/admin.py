from django.contrib import admin

from units.admin import ScopedAdmin

from .models import (
    AwardTier,
    HigherAdoptionRule,
    InstructionRule,
    LedgerEntry,
    PenaltyRule,
    PublicationRule,
    QuotaRule,
    Scheme,
    SchemeUnit,
)


class SchemeUnitInline(admin.TabularInline):
    model = SchemeUnit
    extra = 0
    autocomplete_fields = ["unit"]


def _inline(model_class):
    return type(f"{model_class.__name__}Inline", (admin.TabularInline,), {"model": model_class, "extra": 0})


@admin.register(Scheme)
class SchemeAdmin(ScopedAdmin):
    """Rules change every year; changing them never rewrites past ledger rows — use
    “按现行规则重算” on the scoreboard to write the differences explicitly."""

    unit_field = "office"
    list_display = ["name", "office", "year", "add_up", "public_to_assessed", "is_active"]
    list_filter = ["year", "is_active"]
    inlines = [
        SchemeUnitInline,
        _inline(QuotaRule),
        _inline(PublicationRule),
        _inline(InstructionRule),
        _inline(HigherAdoptionRule),
        _inline(PenaltyRule),
        _inline(AwardTier),
    ]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedAdmin):
    """Read-only: the ledger is append-only."""

    unit_field = "scheme__office"
    list_display = ["date", "unit", "source", "points", "reason", "created_by"]
    list_filter = ["source", "scheme"]
    search_fields = ["unit__name", "reason"]
    list_select_related = ["unit", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
