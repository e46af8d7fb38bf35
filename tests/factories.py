"""factory_boy factories for every model, and one per role."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from core.vocabulary import (
    ApplicationStatus,
    CompanyKind,
    MemberRole,
    ParkStatus,
    Province,
    Role,
    Tier,
    UnitKind,
)
from parks.models import Park, ParkCounters, ParkManagerAssignment, Unit
from parks.services import occupancy_refresh
from subsidies.models import SubsidyScheme
from tenants.models import Application, Company, Lease, LeaseUnit, Membership

PASSWORD = "correct-horse-battery-staple"


def keep_counters_true(park_id: int) -> None:
    """Factories write units and lets around the services; where a service already stored
    the park's figures (``ParkCounters``), store them again, as the services would."""
    if ParkCounters.objects.filter(park_id=park_id).exists():
        occupancy_refresh([park_id])


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.pk")
    role = Role.COMPANY
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class PsebStaffFactory(UserFactory):
    role = Role.PSEB
    is_staff = True
    is_superuser = True


class ParkManagerFactory(UserFactory):
    role = Role.PARK_MANAGER


class ParkFactory(DjangoModelFactory):
    class Meta:
        model = Park
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Test Park {n}")
    code = factory.Sequence(lambda n: "T" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))
    city = "Gujranwala"
    province = Province.PUNJAB
    tier = Tier.SECONDARY
    status = ParkStatus.EXISTING
    opening_date = date(2024, 1, 1)
    rent_per_sqft = Decimal("60.00")


class ParkManagerAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = ParkManagerAssignment

    user = factory.SubFactory(ParkManagerFactory)
    park = factory.SubFactory(ParkFactory)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        skip_postgeneration_save = True

    park = factory.SubFactory(ParkFactory)
    code = factory.Sequence(lambda n: f"U-{n:04d}")
    floor = "1"
    kind = UnitKind.OFFICE
    area_sqft = Decimal("1000.00")
    seats = 12
    monthly_rent = Decimal("60000.00")
    internet_fee = Decimal("5000.00")

    @factory.post_generation
    def counters(self, create, extracted, **kwargs):
        if create:
            keep_counters_true(self.park_id)


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Test Software House {n} (Pvt) Ltd")
    kind = CompanyKind.COMPANY
    city = "Faisalabad"
    headcount = 20
    women_headcount = 6


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = MemberRole.OWNER


class LeaseFactory(DjangoModelFactory):
    """A lease of one fresh unit; pass ``units=[...]`` to let specific ones."""

    class Meta:
        model = Lease
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    park = factory.SubFactory(ParkFactory)
    start_date = date(2026, 3, 15)
    end_date = None
    created_by = factory.SubFactory(PsebStaffFactory)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if not create:
            return
        for unit in extracted if extracted is not None else [UnitFactory(park=self.park)]:
            LeaseUnit.objects.create(
                lease=self,
                unit=unit,
                start_date=self.start_date,
                end_date=self.end_date,
                monthly_rent=unit.monthly_rent,
                internet_fee=unit.internet_fee,
            )
        keep_counters_true(self.park_id)


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application

    company = factory.SubFactory(CompanyFactory)
    park = factory.SubFactory(ParkFactory)
    seats = 10
    unit_kind = UnitKind.OFFICE
    # A month ahead: a desired start in the past cannot be submitted.
    desired_start = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    duration_months = 12
    business_plan = "Grow a team of local graduates."
    created_by = factory.SubFactory(UserFactory)
    status = ApplicationStatus.DRAFT
    # Anything past draft has been submitted once.
    submitted_at = factory.LazyAttribute(
        lambda a: None if a.status == ApplicationStatus.DRAFT else timezone.now()
    )


class SubsidySchemeFactory(DjangoModelFactory):
    class Meta:
        model = SubsidyScheme

    name = factory.Sequence(lambda n: f"Scheme {n}")
    internet_pct = Decimal("100.00")
    rent_pct = Decimal("25.00")
    duration_months = 12
    valid_from = date(2022, 7, 1)


def application_input(park, **changes):
    """A draft's typed input as a company fills it in (tenants.inputs.ApplicationInput):
    10 seats, an office, from a month ahead, for 12 months; ``changes`` override fields."""
    from dataclasses import replace

    from tenants.inputs import ApplicationInput

    draft = ApplicationInput(
        park=park,
        seats=10,
        area_sqft=Decimal("0"),
        unit_kind="office",
        desired_start=timezone.localdate() + timedelta(days=30),
        duration_months=12,
        business_plan="Logistics software for exporters in Gujranwala.",
    )
    return replace(draft, **changes)
