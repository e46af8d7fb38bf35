from django import forms
from django.contrib import admin

from .domain import default_monthly_rent
from .models import Park, ParkManagerAssignment, Unit
from .selectors import with_unit_status


class ParkManagerInline(admin.TabularInline):
    model = ParkManagerAssignment
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "city", "province", "tier", "status", "opening_date")
    list_filter = ("status", "tier", "province")
    search_fields = ("name", "code", "city")
    inlines = [ParkManagerInline]


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = (
            "park",
            "code",
            "floor",
            "kind",
            "area_sqft",
            "seats",
            "monthly_rent",
            "internet_fee",
            "under_maintenance",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        park, area = cleaned.get("park"), cleaned.get("area_sqft")
        if cleaned.get("monthly_rent") is None and park and area:
            cleaned["monthly_rent"] = default_monthly_rent(area, park.rent_per_sqft)
        return cleaned


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitAdminForm
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

    def get_queryset(self, request):
        return with_unit_status(super().get_queryset(request))

    @admin.display(description="Status today", ordering="status")
    def status_today(self, obj: Unit) -> str:
        return obj.status


@admin.register(ParkManagerAssignment)
class ParkManagerAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "park", "assigned_at")
    list_filter = ("park",)
    autocomplete_fields = ("user", "park")
