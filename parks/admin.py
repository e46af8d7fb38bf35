"""Parks in the admin: every write through parks.services (stp_portal.admin says why).

Parks and units cannot be deleted here: no service deletes them, because leases, statements
and occupancy history refer to them (a closed park is marked by its status, a unit out of
use by its maintenance flag). The fields shown are the models' editable fields
(``PARK_FIELDS``, ``UNIT_FIELDS``); a unit is validated by the portal's unit form.

Staff accounts are made here with their parks: this extends ``accounts.admin.UserAdmin``
(accounts knows nothing of parks) so that a park manager is created with the parks they
run, through ``staff_user_create_with_parks``, as ``add_staff_user`` does.
"""

from typing import Any

from django import forms
from django.contrib import admin

from accounts.admin import StaffUserAddForm, UserAdmin
from accounts.models import User
from stp_portal.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceAdmin

from .forms import ParkForm, UnitForm
from .models import PARK_FIELDS, UNIT_FIELDS, Park, ParkCounters, ParkManagerAssignment, Unit
from .selectors import with_unit_status


class ParkManagerInline(ReadOnlyInline):
    """Listed here; assigned and removed on Park manager assignments (through the service)."""

    model = ParkManagerAssignment
    fields = readonly_fields = ("user", "assigned_at")


@admin.register(Park)
class ParkAdmin(ServiceAdmin):
    write_services = {
        "add": "parks.services.park_create",
        "change": "parks.services.park_update",
    }
    form = ParkForm  # the portal's: amenities as ticks, not raw JSON
    fields = PARK_FIELDS
    list_display = ("name", "code", "city", "province", "tier", "status", "opening_date")
    list_filter = ("status", "tier", "province")
    search_fields = ("name", "code", "city")
    inlines = [ParkManagerInline]

    def create(self, request, form):
        return self.service("add")(user=request.user, **form.cleaned_data)

    def update(self, request, obj, form):
        return self.service("change")(user=request.user, park=obj, **self.changed(form))


@admin.register(Unit)
class UnitAdmin(ServiceAdmin):
    write_services = {
        "add": "parks.services.unit_create",
        "change": "parks.services.unit_update",
    }
    form = UnitForm  # a blank rent is the park's default (domain.md §2)
    list_display = ("code", "park", *UNIT_FIELDS[1:-1], "status_today")
    list_filter = ("park", "kind", "under_maintenance")
    search_fields = ("code", "park__name", "park__code")
    list_select_related = ("park",)

    def get_fields(self, request, obj=None):
        return ("park", *UNIT_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        # A unit stays in its park: leases and statements name it there.
        return ("park",) if obj is not None else ()

    def get_queryset(self, request):
        return with_unit_status(super().get_queryset(request))

    @admin.display(description="Status today", ordering="status")
    def status_today(self, obj: Any) -> str:
        return str(obj.status)  # annotated by with_unit_status

    def create(self, request, form):
        data = dict(form.cleaned_data)
        park = data.pop("park")
        return self.service("add")(user=request.user, park=park, **data)

    def update(self, request, obj, form):
        unit = Unit.objects.select_related("park").get(pk=obj.pk)
        return self.service("change")(user=request.user, unit=unit, **self.changed(form))


@admin.register(ParkManagerAssignment)
class ParkManagerAssignmentAdmin(ServiceAdmin):
    """A manager is assigned to a park, or taken off it; an assignment has nothing else to
    change."""

    write_services = {
        "add": "parks.services.park_manager_assign",
        "delete": "parks.services.park_manager_unassign",
    }
    fields = ("user", "park")
    list_display = ("user", "park", "assigned_at")
    list_filter = ("park",)
    autocomplete_fields = ("user", "park")

    def create(self, request, form):
        return self.service("add")(
            user=request.user, park=form.cleaned_data["park"], manager=form.cleaned_data["user"]
        )

    def remove(self, request, obj):
        self.service("delete")(user=request.user, assignment=obj)


# --- Staff accounts with their parks -----------------------------------------------------------
class StaffUserWithParksAddForm(StaffUserAddForm):
    parks = forms.ModelMultipleChoiceField(
        queryset=Park.objects.order_by("code"),
        required=False,
        help_text="For a park manager: the parks they run.",
    )


class StaffUserWithParksAdmin(UserAdmin):
    write_services = {
        **UserAdmin.write_services,
        "add": "parks.services.staff_user_create_with_parks",
    }
    add_form = StaffUserWithParksAddForm
    add_fields = ("username", "email", "role", "parks", "password1", "password2")

    def create(self, request, form):
        park_codes = [park.code for park in form.cleaned_data["parks"]]
        return self.service("add")(**self.account(form), park_codes=park_codes)


admin.site.unregister(User)
admin.site.register(User, StaffUserWithParksAdmin)


@admin.register(ParkCounters)
class ParkCountersAdmin(ReadOnlyAdmin):
    """The stored figures are written by ``services.occupancy_refresh`` only."""

    list_display = ("park", "on", "units_total", "units_vacant", "leased_area", "leasable_area")
    search_fields = ("park__code", "park__name")
    list_select_related = ("park",)
