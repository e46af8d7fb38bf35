"""Parks in the admin: every write through parks.services (stp_portal.admin says why).

Parks and units cannot be deleted here: no service deletes them, because leases, statements
and occupancy history refer to them (a closed park is marked by its status, a unit out of
use by its maintenance flag).
"""

from django.contrib import admin

from stp_portal.admin import ReadOnlyInline, ServiceAdmin

from . import services
from .models import Park, ParkManagerAssignment, Unit
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
    fields = services.PARK_FIELDS
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
    list_display = (
        "code",
        "park",
        "floor",
        "kind",
        "area_sqft",
        "seats",
        "monthly_rent",
        "internet_fee",
        "status_today",
    )
    list_filter = ("park", "kind", "under_maintenance")
    search_fields = ("code", "park__name", "park__code")
    list_select_related = ("park",)

    def get_fields(self, request, obj=None):
        return ("park", *services.UNIT_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        # A unit stays in its park: leases and statements name it there.
        return ("park",) if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "monthly_rent" in form.base_fields:
            # Blank: the service sets the area × the park's rate (domain.md §2).
            form.base_fields["monthly_rent"].required = False
            form.base_fields["monthly_rent"].help_text = "Blank: area × the park's rate."
        return form

    def get_queryset(self, request):
        return with_unit_status(super().get_queryset(request))

    @admin.display(description="Status today", ordering="status")
    def status_today(self, obj: Unit) -> str:
        return obj.status

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
