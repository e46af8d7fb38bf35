from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Max

from .models import (
    BillingChunk,
    BillingRun,
    Charge,
    CreditNote,
    DocumentCounter,
    Payment,
    Statement,
    StatementLine,
    SubsidyScheme,
    SubsidyWindow,
)


class SubsidySchemeForm(forms.ModelForm):
    class Meta:
        model = SubsidyScheme
        fields = (
            "name",
            "internet_pct",
            "rent_pct",
            "duration_months",
            "valid_from",
            "valid_to",
            "parks",
            "anchor",
        )

    def clean_valid_to(self):
        valid_to = self.cleaned_data.get("valid_to")
        if self.instance.pk and valid_to is not None:
            used = self.instance.windows.aggregate(latest=Max("start"))["latest"]
            if used is not None and valid_to < used:
                raise ValidationError(
                    f"Statements use a window of this scheme opened on {used:%Y-%m-%d}; "
                    "it must stay valid until then."
                )
        return valid_to


@admin.register(SubsidyScheme)
class SubsidySchemeAdmin(admin.ModelAdmin):
    form = SubsidySchemeForm
    list_display = (
        "name",
        "internet_pct",
        "rent_pct",
        "duration_months",
        "valid_from",
        "valid_to",
        "anchor",
    )
    list_filter = ("anchor",)
    search_fields = ("name",)
    filter_horizontal = ("parks",)

    def get_readonly_fields(self, request, obj=None):
        # Applied to issued statements: only the name and the end of validity may change
        # (subsidies.services.scheme_update says why; the form still checks valid_to).
        if obj is not None and obj.windows.exists():
            return ("internet_pct", "rent_pct", "duration_months", "valid_from", "parks", "anchor")
        return ()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Issued documents are immutable (domain.md §6): the admin shows them, never edits them.

    They are made by billing, payments and credit notes (pages, API, run_billing), which
    number them and keep the totals right.
    """

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    fields = ("position", "kind", "unit_code", "description", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("number", "company", "park", "period", "issue_date", "due_date", "net_payable")
    list_filter = ("park", "period")
    search_fields = ("number", "company__name")
    date_hierarchy = "period"
    list_select_related = ("company", "park")
    inlines = [StatementLineInline]


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    list_display = ("statement", "position", "kind", "description", "amount")
    list_filter = ("kind",)
    search_fields = ("statement__number", "description")
    list_select_related = ("statement",)


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ("number", "statement", "issue_date", "amount")
    search_fields = ("number", "statement__number")
    list_select_related = ("statement",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("statement", "amount", "paid_on", "reference")
    search_fields = ("statement__number", "reference")
    list_select_related = ("statement",)


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ("lease", "period", "description", "amount")
    search_fields = ("description", "lease__company__name")
    list_select_related = ("lease__company",)


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "period", "park", "status", "done", "total", "issued", "created_at")
    list_filter = ("status",)
    search_fields = ("park__code",)


@admin.register(BillingChunk)
class BillingChunkAdmin(ReadOnlyAdmin):
    list_display = ("pk", "run", "park", "size", "issued", "finished_at")
    search_fields = ("park__code", "error")


@admin.register(DocumentCounter)
class DocumentCounterAdmin(ReadOnlyAdmin):
    list_display = ("park", "fiscal_year", "series", "last_number")
    search_fields = ("park__code", "fiscal_year")


@admin.register(SubsidyWindow)
class SubsidyWindowAdmin(ReadOnlyAdmin):
    list_display = ("company", "park", "scheme", "start", "end")
    list_filter = ("park",)
    search_fields = ("company__name", "park__code")
    list_select_related = ("company", "park", "scheme")
