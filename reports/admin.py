"""Registered companies per city in the admin, written through ``city_demand_set``
(stp_portal.admin: one write path)."""

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from stp_portal.admin import ServiceAdmin

from .models import CityDemand
from .services import CITY_DEMAND_FIELDS


@admin.register(CityDemand)
class CityDemandAdmin(ServiceAdmin):
    """Added and changed by the service; never deleted here (set a figure instead). A city's
    name is fixed once recorded: the service finds a city's figure by its name."""

    write_services = {
        "add": "reports.services.city_demand_set",
        "change": "reports.services.city_demand_update",
    }
    fields = CITY_DEMAND_FIELDS
    list_display = (*CITY_DEMAND_FIELDS, "updated_at")
    list_filter = ("province",)
    search_fields = ("city",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("city",) if obj is not None else ()

    def create(self, request: HttpRequest, form: ModelForm) -> CityDemand:
        data = form.cleaned_data
        return self.service("add")(
            user=request.user,
            city=data["city"],
            province=data["province"],
            registered_companies=data["registered_companies"],
        )

    def update(self, request: HttpRequest, obj: Any, form: ModelForm) -> CityDemand:
        changed = self.changed(form, ("province", "registered_companies"))
        return self.service("change")(user=request.user, target=obj, **changed)
