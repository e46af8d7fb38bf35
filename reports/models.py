"""What the reports read that no other app holds: PSEB's registered companies per city."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from core.vocabulary import Province


class CityDemand(models.Model):
    """How many IT/ITeS companies are registered with PSEB in a city (domain.md §7.7): the
    demand the demand-by-city report sets beside the city's parks. PSEB keeps the figures
    (``reports.services.city_demand_set``)."""

    city = models.CharField(max_length=100)
    province = models.CharField(max_length=20, choices=Province.choices)
    registered_companies = models.PositiveIntegerField("registered IT/ITeS companies")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["city"]
        verbose_name = "registered companies in a city"
        verbose_name_plural = "registered companies per city"
        constraints = [
            # One figure per city, however it is capitalised (parks spell their city freely).
            models.UniqueConstraint(
                Lower("city"),
                name="city_demand_unique_city",
                violation_error_message="This city already has a figure.",
            ),
            models.CheckConstraint(
                condition=Q(province__in=Province.values), name="city_demand_province_valid"
            ),
            models.CheckConstraint(condition=~Q(city=""), name="city_demand_city_named"),
        ]

    def __str__(self) -> str:
        return f"{self.city}: {self.registered_companies} registered companies"
