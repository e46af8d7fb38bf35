"""Writes of what the reports read: PSEB's registered companies per city (domain.md §7.7)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from core.permissions import ensure
from core.vocabulary import Province

from .models import CityDemand

if TYPE_CHECKING:
    from accounts.models import User

# The fields PSEB writes, stated once (the admin's form shows these).
CITY_DEMAND_FIELDS = ("city", "province", "registered_companies")


@transaction.atomic
def city_demand_set(
    *, user: User, city: str, province: str, registered_companies: int
) -> CityDemand:
    """Record how many IT/ITeS companies are registered with PSEB in ``city``: the city's
    figure is replaced if it has one (matched however it is capitalised), created if not.
    PSEB staff only (``manage_city_demand``); the audit trail records the change."""
    ensure("manage_city_demand", user)
    name = " ".join(city.split())
    errors = {}
    if not name:
        errors["city"] = "Name the city."
    if province not in Province.values:
        errors["province"] = "Choose a province."
    if isinstance(registered_companies, bool) or not isinstance(registered_companies, int):
        errors["registered_companies"] = "Give a whole number of companies."
    elif registered_companies < 0:
        errors["registered_companies"] = "The number of companies cannot be negative."
    if errors:
        raise ValidationError(errors)
    demand = CityDemand.objects.select_for_update().filter(city__iexact=name).first()
    if demand is None:
        demand = CityDemand(city=name)
    demand.province = province
    demand.registered_companies = registered_companies
    demand.full_clean(validate_constraints=False)
    demand.save()
    return demand


def city_demand_update(
    *,
    user: User,
    target: CityDemand,
    province: str | None = None,
    registered_companies: int | None = None,
) -> CityDemand:
    """Change a recorded city's province or figure (what is not given stays): the admin's
    change form gives only what the user changed. The city's name is how it is found, so it
    does not change here."""
    return city_demand_set(
        user=user,
        city=target.city,
        province=target.province if province is None else province,
        registered_companies=(
            target.registered_companies if registered_companies is None else registered_companies
        ),
    )
