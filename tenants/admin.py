"""Tenant data in the admin: shown, and written only through tenants.services.

What stays read-only here, and why:
- Companies and memberships: a company's profile is its own users' to edit (the service
  refuses anyone else, PSEB included); members join by invitation.
- Applications: their fields are the company's draft, their status the workflow's. PSEB
  moves them with the actions below (review, reject, return), which call the same
  ``application_transition`` as the portal: the transition is recorded and e-mailed.
  Approval allocates units, so it links to the portal's approval page. Withdrawing is the
  company's own step.
- Documents: uploaded by the company on its draft (checked as PDFs there).
- Leases: recorded here (onboarding an existing tenant) through ``lease_create``; after
  that their dates and units are the lease's history and bills: a termination is the
  portal's termination page (it takes the locks, issues credit notes and e-mails).
- Nothing is deleted here: applications, transitions, leases and their units are workflow
  and billing history.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.vocabulary import ApplicationStatus
from parks.models import Unit
from stp_portal.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin, service_error_messages

from .domain import TRANSITIONS
from .inputs import COMPANY_FIELDS, LEASE_FIELDS
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


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = readonly_fields = ("user", "role", "joined_at")


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    fields = COMPANY_FIELDS
    list_display = ("name", "kind", "city", "pseb_registration", "headcount", "women_headcount")
    list_filter = ("kind", "city")
    search_fields = ("name", "pseb_registration", "ntn", "secp_number")
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "company", "role", "joined_at")
    list_filter = ("role",)
    search_fields = ("user__username", "company__name")


class TransitionInline(ReadOnlyInline):
    """The history is append-only: shown, never edited."""

    model = ApplicationTransition
    fields = readonly_fields = (
        "created_at",
        "actor",
        "action",
        "from_status",
        "to_status",
        "comment",
    )


class DocumentInline(ReadOnlyInline):
    model = ApplicationDocument
    fields = readonly_fields = ("original_name", "size_bytes", "uploaded_by", "uploaded_at")


class TransitionReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        required=False,
        max_length=2000,
        help_text="Sent to the company with the e-mail; required to reject or return.",
    )


@admin.register(Application)
class ApplicationAdmin(ServiceAdmin):
    """Read-only, status included; moved on by the workflow actions."""

    write_services = {
        "review": "tenants.services.application_transition",
        "reject": "tenants.services.application_transition",
        "return_for_changes": "tenants.services.application_transition",
    }
    actions = ("review", "reject", "return_for_changes")
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
    readonly_fields = ("workflow",)
    inlines = [DocumentInline, TransitionInline]

    @admin.display(description="Next step")
    def workflow(self, obj: Application) -> str:
        if obj.status == ApplicationStatus.UNDER_REVIEW:
            url = reverse("tenants:application_approve", args=[obj.pk])
            return format_html(
                '<a href="{}">Approve and allocate units</a> (portal page); reject or return '
                "with the actions of the application list.",
                url,
            )
        url = reverse("tenants:application_detail", args=[obj.pk])
        return format_html('<a href="{}">Open in the portal</a>', url)

    @admin.action(description="Start review of the selected applications")
    def review(self, request, queryset):
        return self._transition(request, queryset, "review", "review")

    @admin.action(description="Reject the selected applications…")
    def reject(self, request, queryset):
        return self._transition(request, queryset, "reject", "reject")

    @admin.action(description="Return the selected applications for changes…")
    def return_for_changes(self, request, queryset):
        return self._transition(request, queryset, "return_for_changes", "return")

    def _transition(self, request, queryset, name: str, action: str):
        """An intermediate page asks for the reason; confirmed, each application goes
        through ``application_transition`` on its own (one refusal stops no other)."""
        form = TransitionReasonForm(request.POST if "confirm" in request.POST else None)
        form.fields["reason"].required = TRANSITIONS[action].needs_reason
        if not form.is_bound or not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": TRANSITIONS[action].label,
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action_name": name,
                "needs_reason": TRANSITIONS[action].needs_reason,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/tenants/application_transition.html", context)
        transition = self.service(name)
        done = 0
        for application in queryset:
            try:
                transition(
                    user=request.user,
                    application=application,
                    action=action,
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationError, PermissionDenied) as exc:
                problems = (
                    service_error_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]
                )
                for problem in problems:
                    message = f"Application #{application.pk}: {problem}"
                    self.message_user(request, message, messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request, f"{TRANSITIONS[action].label}: {done} application(s).", messages.SUCCESS
            )
        return None


@admin.register(ApplicationTransition)
class ApplicationTransitionAdmin(ReadOnlyAdmin):
    list_display = ("application", "action", "from_status", "to_status", "actor", "created_at")
    list_filter = ("action", "to_status")


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(ReadOnlyAdmin):
    """Uploaded by the company on its draft, where the file is checked as a PDF."""

    list_display = ("original_name", "application", "size_bytes", "uploaded_at")
    search_fields = ("original_name",)
    fields = readonly_fields = (
        "application",
        "download",
        "original_name",
        "size_bytes",
        "uploaded_by",
        "uploaded_at",
    )

    @admin.display(description="File")
    def download(self, obj: ApplicationDocument) -> str:
        # Through the portal's scoped download, never a public media URL.
        url = reverse("tenants:document_download", args=[obj.application_id, obj.pk])
        return format_html('<a href="{}">Download {}</a>', url, obj.original_name)


class LeaseUnitInline(ReadOnlyInline):
    """A lease's units, dates and prices as agreed: changed only by a termination."""

    model = LeaseUnit
    fields = readonly_fields = ("unit", "start_date", "end_date", "monthly_rent", "internet_fee")


class LeaseAddForm(forms.ModelForm):
    units = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.select_related("park").order_by("park__code", "code"),
        widget=FilteredSelectMultiple("units", is_stacked=False),
        help_text="Units of the lease's park, let at their current prices.",
    )

    class Meta:
        model = Lease
        fields = LEASE_FIELDS


@admin.register(Lease)
class LeaseAdmin(ServiceAdmin):
    """Recorded here (onboarding, domain.md §4) through ``lease_create``; read-only after."""

    write_services = {"add": "tenants.services.lease_create"}
    list_display = ("id", "company", "park", "start_date", "end_date", "status_today")
    list_filter = ("park",)
    search_fields = ("company__name", "park__code")
    list_select_related = ("company", "park")
    autocomplete_fields = ("company", "park")
    inlines = [LeaseUnitInline]
    # What a saved lease shows besides its fields: its record, and how it ends early.
    RECORDED = ("created_by", "created_at", "terminated_at", "termination_reason", "terminate")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = LeaseAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return (*LEASE_FIELDS, "units")
        return (*LEASE_FIELDS, *self.RECORDED)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else ()

    @admin.display(description="Status today")
    def status_today(self, obj: Lease) -> str:
        return obj.status_on(timezone.localdate())

    @admin.display(description="Termination")
    def terminate(self, obj: Lease) -> str:
        # The portal's page does it all: locks, credit notes for months billed, e-mails.
        if obj.terminated_at is not None:
            return "Terminated."
        url = reverse("tenants:lease_terminate", args=[obj.pk])
        return format_html('<a href="{}">Terminate this lease (portal page)</a>', url)

    def create(self, request, form):
        data = form.cleaned_data
        return self.service("add")(
            company=data["company"],
            park=data["park"],
            units=list(data["units"]),
            start_date=data["start_date"],
            end_date=data["end_date"],
            created_by=request.user,
        )


@admin.register(LeaseUnit)
class LeaseUnitAdmin(ReadOnlyAdmin):
    """A lease's units are its history: see the lease."""

    list_display = ("unit", "lease", "start_date", "end_date", "monthly_rent", "internet_fee")
    list_filter = ("unit__park",)
    search_fields = ("unit__code", "lease__company__name")


@admin.register(Invitation)
class InvitationAdmin(ServiceAdmin):
    """Sent by the company's owner in the portal (the e-mail carries the only copy of the
    token); here an open one can be revoked."""

    write_services = {"revoke": "tenants.services.invitation_revoke"}
    actions = ("revoke",)
    list_display = ("email", "company", "invited_by", "created_at", "expires_at", "accepted_at")
    list_filter = ("accepted_at",)
    search_fields = ("email", "company__name")
    fields = readonly_fields = (
        "company",
        "email",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    )

    @admin.action(description="Revoke the selected invitations")
    def revoke(self, request, queryset) -> None:
        revoke = self.service("revoke")
        for invitation in queryset:
            try:
                with transaction.atomic():
                    revoke(user=request.user, invitation=invitation)
            except ValidationError as exc:
                for problem in service_error_messages(exc):
                    self.message_user(request, problem, messages.ERROR)
            else:
                self.message_user(request, f"Invitation to {invitation.email} revoked.")
