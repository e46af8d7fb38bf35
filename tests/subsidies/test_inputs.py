"""What the pages, the API and the admin share with the services: the scheme's editable
fields stated once (``SchemeInput``), billing's amount rule (``subsidies.amounts``), the one
reading of a written month, and who may read the schemes."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers

from core.permissions import has_permission
from subsidies import services
from subsidies.admin import SubsidySchemeAdmin
from subsidies.amounts import amount_validators, billing_amount_problem
from subsidies.forms import ChargeForm, PaymentForm, SchemeForm, period_from_text
from subsidies.serializers import PeriodField, SubsidySchemeSerializer
from tests.factories import SubsidySchemeFactory


# --- The scheme's editable fields ----------------------------------------------------------------
def test_the_form_the_serializer_and_the_admin_offer_the_schemes_input_fields():
    assert tuple(SchemeForm.Meta.fields) == services.SCHEME_FIELDS
    assert tuple(SubsidySchemeSerializer.Meta.fields) == ("id", *services.SCHEME_FIELDS)
    assert tuple(SubsidySchemeAdmin.fields) == services.SCHEME_FIELDS


@pytest.mark.django_db
def test_a_partial_change_keeps_what_it_leaves_out(park):
    scheme = SubsidySchemeFactory(name="Programme", rent_pct=Decimal("25.00"))
    scheme.parks.set([park])
    data = services.SchemeInput.build({"rent_pct": Decimal("30.00")}, scheme=scheme)
    assert data.rent_pct == Decimal("30.00")
    assert (data.name, data.valid_from, data.parks) == (scheme.name, scheme.valid_from, (park,))


def test_a_new_scheme_takes_only_its_own_fields_from_the_data():
    data = services.SchemeInput.build(
        {
            "name": "New",
            "internet_pct": Decimal("100"),
            "rent_pct": Decimal("25"),
            "duration_months": 12,
            "valid_from": date(2026, 1, 1),
            "id": 7,  # not an editable field
        }
    )
    assert data == services.SchemeInput(
        name="New",
        internet_pct=Decimal("100"),
        rent_pct=Decimal("25"),
        duration_months=12,
        valid_from=date(2026, 1, 1),
    )


# --- The amount rule -----------------------------------------------------------------------------
@pytest.mark.parametrize("amount", ["0", "-3", "1.005", "10000000.01", "1e30"])
@pytest.mark.parametrize("charge", [True, False])
def test_forms_and_serializers_refuse_an_amount_with_the_services_words(amount, charge):
    problem = billing_amount_problem(Decimal(amount), charge=charge)
    if problem is None:  # a payment or a credit note has no bound of billing's own
        assert not charge
        return
    (validate,) = amount_validators(charge=charge)
    with pytest.raises(ValidationError) as refused:
        validate(Decimal(amount))
    assert refused.value.messages == [problem]
    form = (ChargeForm if charge else PaymentForm)(data={"amount": amount})
    assert form.errors["amount"] == [problem]


def test_a_charges_bound_is_read_from_the_settings_when_checked(settings):
    settings.CHARGE_MAX_AMOUNT = Decimal("500.00")
    assert billing_amount_problem(Decimal("500.01"), charge=True) == (
        "The amount can be at most 500.00."
    )
    assert billing_amount_problem(Decimal("500.01")) is None


# --- A written month -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "exact", "read"),
    [
        ("2026-03", True, "2026-03"),
        (" 2026-03 ", False, "2026-03"),
        ("", False, None),
        (None, True, None),
    ],
)
def test_a_month_is_read_one_way(text, exact, read):
    period = period_from_text(text, exact=exact)
    assert (str(period) if period else None) == read


@pytest.mark.parametrize("text", [" 2026-03 ", "2026-3", "2026-13", "9999-01", 202603])
def test_the_api_reads_a_month_exactly_as_its_schema_says(text):
    with pytest.raises(serializers.ValidationError):
        PeriodField().to_internal_value(text)


# --- Who reads the schemes -----------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed"),
    [("pseb_staff", True), ("park_manager", True), ("company_user", False)],
)
def test_pseb_staff_and_park_managers_read_the_schemes(request, role, allowed):
    verdict = has_permission("read_schemes", request.getfixturevalue(role))
    assert bool(verdict) is allowed
    assert verdict.reason == (
        "" if allowed else "Subsidy schemes are for PSEB staff and park managers."
    )
