from pathlib import Path

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Company,
    Invitation,
    Lease,
    LeaseUnit,
    Membership,
)
from .services import validate_lease


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "city", "pseb_registration", "headcount", "women_headcount")
    list_filter = ("kind", "city")
    search_fields = ("name", "pseb_registration", "ntn", "secp_number")
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "company", "role", "joined_at")
    list_filter = ("role",)
    search_fields = ("user__username", "company__name")
    autocomplete_fields = ("user", "company")


class TransitionInline(admin.TabularInline):
    """The history is append-only: shown, never edited."""

    model = ApplicationTransition
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "actor", "action", "from_status", "to_status", "comment")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DocumentInline(admin.TabularInline):
    """Listed here; added on the document page, which records name, size and uploader."""

    model = ApplicationDocument
    extra = 0
    readonly_fields = ("original_name", "size_bytes", "uploaded_by", "uploaded_at")
    fields = ("original_name", "size_bytes", "uploaded_by", "uploaded_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "company",
        "park",
        "unit_kind",
        "seats",
        "desired_start",
        "status",
        "submitted_at",
    )
    list_filter = ("status", "park", "unit_kind")
    search_fields = ("company__name", "park__name", "park__code")
    list_select_related = ("company", "park")
    autocomplete_fields = ("company", "park", "created_by")
    raw_id_fields = ("lease",)
    inlines = [DocumentInline, TransitionInline]


@admin.register(ApplicationTransition)
class ApplicationTransitionAdmin(admin.ModelAdmin):
    list_display = ("application", "action", "from_status", "to_status", "actor", "created_at")
    list_filter = ("action", "to_status")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(admin.ModelAdmin):
    """Uploads are checked as PDFs by content; the stored name is generated."""

    list_display = ("original_name", "application", "size_bytes", "uploaded_at")
    readonly_fields = ("download", "original_name", "size_bytes", "uploaded_by", "uploaded_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("application", "file")
        return (
            "application",
            "download",
            "original_name",
            "size_bytes",
            "uploaded_by",
            "uploaded_at",
        )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (("application",) if obj else ())

    @admin.display(description="File")
    def download(self, obj: ApplicationDocument) -> str:
        # Through the portal's scoped download, never a public media URL.
        url = reverse("tenants:document_download", args=[obj.application_id, obj.pk])
        return format_html('<a href="{}">Download {}</a>', url, obj.original_name)

    search_fields = ("original_name",)
    autocomplete_fields = ("application",)

    def save_model(self, request, obj: ApplicationDocument, form, change) -> None:
        if "file" in form.changed_data:
            upload = form.cleaned_data["file"]
            obj.original_name = Path(upload.name).name[:255]
            obj.size_bytes = upload.size
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


class LeaseUnitForm(forms.ModelForm):
    class Meta:
        model = LeaseUnit
        fields = ("unit", "monthly_rent", "internet_fee")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("monthly_rent", "internet_fee"):
            self.fields[name].required = False
            self.fields[name].help_text = "Blank: the unit's current price."


class LeaseUnitFormSet(forms.BaseInlineFormSet):
    """Lease units follow the lease's park and dates, under the same rules as the portal."""

    def clean(self) -> None:
        super().clean()
        lease = self.instance
        units = [
            f.cleaned_data["unit"]
            for f in self.forms
            if f.cleaned_data.get("unit") and not f.cleaned_data.get("DELETE")
        ]
        if lease.start_date is None or lease.park_id is None:
            return
        try:
            validate_lease(
                park=lease.park,
                units=units,
                start_date=lease.start_date,
                end_date=lease.end_date,
                exclude_lease_id=lease.pk,
                company_id=lease.company_id,
            )
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class LeaseUnitInline(admin.TabularInline):
    model = LeaseUnit
    form = LeaseUnitForm
    formset = LeaseUnitFormSet
    extra = 1
    autocomplete_fields = ("unit",)


@admin.register(Lease)
class LeaseAdmin(admin.ModelAdmin):
    list_display = ("id", "company", "park", "start_date", "end_date", "status_today")
    # Termination goes through the portal's page, which checks it and notifies everyone.
    readonly_fields = ("terminated_at", "termination_reason")
    list_filter = ("park",)
    search_fields = ("company__name", "park__code")
    list_select_related = ("company", "park")
    autocomplete_fields = ("company", "park", "created_by")
    inlines = [LeaseUnitInline]

    @admin.display(description="Status today")
    def status_today(self, obj: Lease) -> str:
        return obj.status_on(timezone.localdate())

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not LeaseUnit:
            return super().save_formset(request, form, formset, change)
        lease = form.instance
        for lease_unit in formset.save(commit=False):
            lease_unit.start_date, lease_unit.end_date = lease.start_date, lease.end_date
            if lease_unit.monthly_rent is None:
                lease_unit.monthly_rent = lease_unit.unit.monthly_rent
            if lease_unit.internet_fee is None:
                lease_unit.internet_fee = lease_unit.unit.internet_fee
            lease_unit.save()
        for obj in formset.deleted_objects:
            obj.delete()
        # Units left untouched in the formset still follow the lease's dates.
        lease.lease_units.update(start_date=lease.start_date, end_date=lease.end_date)
        return None


@admin.register(LeaseUnit)
class LeaseUnitAdmin(admin.ModelAdmin):
    """Read-only: a lease's units are edited on the lease, where the lease rules apply."""

    list_display = ("unit", "lease", "start_date", "end_date", "monthly_rent", "internet_fee")
    list_filter = ("unit__park",)
    search_fields = ("unit__code", "lease__company__name")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are sent by the company owner in the portal (the e-mail carries the only
    copy of the token); here they can be read, shortened or revoked."""

    list_display = ("email", "company", "invited_by", "created_at", "expires_at", "accepted_at")
    list_filter = ("accepted_at",)
    search_fields = ("email", "company__name")
    fields = (
        "company",
        "email",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    )
    readonly_fields = ("company", "email", "invited_by", "created_at", "accepted_at", "accepted_by")

    def has_add_permission(self, request) -> bool:
        return False
