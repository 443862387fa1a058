from django import forms
from django.contrib import admin

from publications.models import Publication
from units import access
from units.admin import ScopedAdmin, ScopedInline
from units.models import Unit

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
    UpperAdoptionRule,
)


def _office_publications(request):
    """Publications of the offices this administrator manages: a scheme's own rules
    refer to them."""
    qs = Publication.objects.select_related("office")
    return qs if request.user.is_superuser else qs.filter(office__in=access.administered_units(request.user))


class RuleInline(ScopedInline):
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Publication:
            kwargs["queryset"] = _office_publications(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SchemeUnitInline(RuleInline):
    model = SchemeUnit
    autocomplete_fields = ["unit"]


class UpperAdoptionRuleForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        scheme, publication = data.get("scheme"), data.get("upper_publication")
        office_id = getattr(scheme, "office_id", None)
        if publication is not None and office_id is not None:
            parent_id = Unit.objects.filter(pk=office_id).values_list("parent_id", flat=True).first()
            # scoring.actions applies the rule only to adoptions by the office above.
            if publication.office_id != parent_id:
                self.add_error("upper_publication", "请选择本考核单位上级办公厅（室）的刊物。")
        return data


class UpperAdoptionRuleInline(ScopedInline):
    model = UpperAdoptionRule
    form = UpperAdoptionRuleForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "upper_publication" and not request.user.is_superuser:
            # Forwarded items are adopted by the office above: offer the publications of
            # the parents of the offices this administrator manages, not only their own.
            units = access.administered_units(request.user)
            parents = units.exclude(parent__isnull=True).values("parent_id")
            kwargs["queryset"] = Publication.objects.select_related("office").filter(office__in=parents)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _inline(model_class):
    return type(f"{model_class.__name__}Inline", (RuleInline,), {"model": model_class})


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
        UpperAdoptionRuleInline,
    ]
    actions = ["copy_to_next_year"]

    @admin.action(description="复制到下一年度（规则、基数、奖项，不含台账）", permissions=["change"])
    def copy_to_next_year(self, request, queryset):
        """Each selected scheme copied to its next year for editing; the old one untouched."""
        from django.contrib import messages

        from . import actions as scoring_actions

        for scheme in queryset.select_related("office"):
            try:
                copy = scoring_actions.copy_scheme(scheme=scheme, year=scheme.year + 1, user=request.user)
            except scoring_actions.ClosingError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"已复制为《{copy.name}》，请核对后使用。", messages.SUCCESS)


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
