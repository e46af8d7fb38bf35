"""Subsidy schemes and billing in the admin (stp_portal.admin: one write path).

Schemes are written through ``scheme_create`` / ``scheme_update``. Everything billing
makes — statements and their lines, credit notes, payments, charges, billing runs and
chunks, document counters, subsidy windows — is money or its bookkeeping: read-only here.
They are made by billing, payments, charges and credit notes (pages, API, run_billing),
which lock, number them and keep the totals right; an issued statement never changes.
"""

from django.contrib import admin
from django.db.models import Model

from stp_portal.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin

from .models import (
    BillingChunk,
    BillingRun,
    Charge,
    CreditNote,
    CreditNoteLine,
    DocumentCounter,
    Payment,
    PaymentInstruction,
    Receipt,
    Statement,
    StatementLine,
    StatementSnapshot,
    SubsidyScheme,
    SubsidyWindow,
)
from .selectors import scheme_applied_since
from .services.schemes import SCHEME_COLUMNS, SCHEME_FIELDS, SchemeInput


@admin.register(SubsidyScheme)
class SubsidySchemeAdmin(ServiceAdmin):
    """Created and changed through the scheme services; never deleted (statements name it).

    Once a scheme opened a subsidy window its rules are shown read-only, and
    ``scheme_update`` is what refuses a change to them (or a ``valid_to`` before the latest
    window it opened), with its own message.
    """

    write_services = {
        "add": "subsidies.services.scheme_create",
        "change": "subsidies.services.scheme_update",
    }
    fields = SCHEME_FIELDS
    list_display = SCHEME_COLUMNS
    list_filter = ("anchor",)
    search_fields = ("name",)
    filter_horizontal = ("parks",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and scheme_applied_since(obj) is not None:
            return tuple(f for f in self.fields if f not in SubsidyScheme.EDITABLE_ONCE_APPLIED)
        return ()

    def create(self, request, form):
        return self.service("add")(user=request.user, data=SchemeInput.build(form.cleaned_data))

    def update(self, request, obj, form):
        # What the user changed, over the scheme as it stands (its rules, read-only once
        # applied, are not on the form).
        data = SchemeInput.build(self.changed(form), scheme=obj)
        return self.service("change")(user=request.user, scheme=obj, data=data)


class StatementLineInline(ReadOnlyInline):
    model = StatementLine
    fields = readonly_fields = ("position", "kind", "unit_code", "description", "amount")


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("number", "company", "park", "period", "issue_date", "due_date", "net_payable")
    list_filter = ("park", "period")
    search_fields = ("number", "company__name")
    date_hierarchy = "period"
    list_select_related = ("company", "park")
    inlines = [StatementLineInline]


class CreditNoteLineInline(ReadOnlyInline):
    model = CreditNoteLine
    fields = readonly_fields = ("position", "kind", "unit_code", "description", "amount")


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    """Issued by the credit-note services only (with their lines); shown, never written."""

    list_display = ("number", "statement", "issue_date", "amount")
    search_fields = ("number", "statement__number")
    list_select_related = ("statement",)
    inlines = [CreditNoteLineInline]


# The rest of what billing makes, each listed by what identifies it: shown, never written here.
READ_ONLY: dict[type[Model], dict[str, tuple[str, ...]]] = {
    StatementLine: {
        "list_display": ("statement", "position", "kind", "description", "amount"),
        "list_filter": ("kind",),
        "search_fields": ("statement__number", "description"),
        "list_select_related": ("statement",),
    },
    CreditNoteLine: {
        "list_display": ("credit_note", "position", "kind", "description", "amount"),
        "list_filter": ("kind",),
        "search_fields": ("credit_note__number", "description"),
        "list_select_related": ("credit_note",),
    },
    Payment: {
        "list_display": ("statement", "amount", "paid_on", "reference"),
        "search_fields": ("statement__number", "reference"),
        "list_select_related": ("statement",),
    },
    # Receipts and the parks' payment instructions are written by the payment services (the
    # portal's pages), snapshots by the statements' issue: shown here, never written.
    Receipt: {
        "list_display": ("number", "company", "park", "paid_on", "amount", "reference"),
        "list_filter": ("park",),
        "search_fields": ("number", "company__name", "reference"),
        "list_select_related": ("company", "park"),
    },
    PaymentInstruction: {
        "list_display": ("park", "bank_name", "account_title", "iban", "reference"),
        "search_fields": ("park__code", "park__name", "bank_name"),
        "list_select_related": ("park",),
    },
    StatementSnapshot: {
        "list_display": ("statement", "previous_balance", "payments_since", "total_due"),
        "search_fields": ("statement__number",),
        "list_select_related": ("statement",),
    },
    Charge: {
        "list_display": ("lease", "period", "description", "amount"),
        "search_fields": ("description", "lease__company__name"),
        "list_select_related": ("lease__company",),
    },
    BillingRun: {
        "list_display": ("pk", "period", "park", "status", "done", "total", "issued", "created_at"),
        "list_filter": ("status",),
        "search_fields": ("park__code",),
    },
    BillingChunk: {
        "list_display": ("pk", "run", "park", "size", "issued", "finished_at"),
        "search_fields": ("park__code", "error"),
    },
    DocumentCounter: {
        "list_display": ("park", "fiscal_year", "series", "last_number"),
        "search_fields": ("park__code", "fiscal_year"),
    },
    SubsidyWindow: {
        "list_display": ("company", "park", "scheme", "start", "end"),
        "list_filter": ("park",),
        "search_fields": ("company__name", "park__code"),
        "list_select_related": ("company", "park", "scheme"),
    },
}
for model, options in READ_ONLY.items():
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), options))
