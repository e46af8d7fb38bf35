"""Each model's editable fields are stated once (tenants.inputs, issue 8): the services take
the frozen inputs, and the forms, serializers and admin list their fields from them."""

from dataclasses import FrozenInstanceError, replace
from datetime import date
from decimal import Decimal

import pytest

from tenants.admin import CompanyAdmin, LeaseAddForm
from tenants.apis import ApplicationInputSerializer
from tenants.forms import ApplicationForm, CompanyForm
from tenants.inputs import (
    APPLICATION_FIELDS,
    COMPANY_FIELDS,
    LEASE_FIELDS,
    ApplicationInput,
    CompanyInput,
)
from tenants.models import Application, Company, Lease
from tenants.serializers import ApplicationSerializer, CompanySerializer
from tests.factories import ApplicationFactory, CompanyFactory


def test_the_company_form_serializer_and_admin_show_the_one_list_of_its_fields():
    assert tuple(CompanyForm.base_fields) == COMPANY_FIELDS
    assert tuple(CompanySerializer().fields) == ("id", *COMPANY_FIELDS)
    assert CompanyAdmin.fields == COMPANY_FIELDS


def test_the_application_form_and_serializers_show_the_one_list_of_its_fields():
    assert tuple(ApplicationForm.base_fields) == APPLICATION_FIELDS
    assert tuple(ApplicationInputSerializer().fields) == ("company", *APPLICATION_FIELDS)
    shown = tuple(ApplicationSerializer().fields)
    assert shown[2 : 2 + len(APPLICATION_FIELDS)] == APPLICATION_FIELDS


def test_the_admins_lease_form_shows_the_fields_lease_create_takes():
    assert tuple(LeaseAddForm.base_fields) == (*LEASE_FIELDS, "units")


@pytest.mark.parametrize(
    ("model", "names"),
    [(Company, COMPANY_FIELDS), (Application, APPLICATION_FIELDS), (Lease, LEASE_FIELDS)],
)
def test_every_editable_field_is_an_editable_field_of_its_model(model, names):
    for name in names:
        assert model._meta.get_field(name).editable


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "input_class", "names"),
    [
        (CompanyFactory, CompanyInput, COMPANY_FIELDS),
        (ApplicationFactory, ApplicationInput, APPLICATION_FIELDS),
    ],
)
def test_an_input_read_from_a_row_writes_the_same_values_back(factory, input_class, names):
    row = factory()
    copy = type(row)()
    input_class.of(row).apply_to(copy)
    assert [getattr(copy, n) for n in names] == [getattr(row, n) for n in names]


def test_an_input_has_no_place_for_a_field_outside_the_statement():
    data = CompanyInput(name="Indus Code", kind="company", city="Gujranwala")
    with pytest.raises(TypeError):
        replace(data, members=[])
    with pytest.raises(TypeError):
        CompanyInput(name="Indus Code", kind="company", city="Gujranwala", status="approved")


def test_an_input_is_frozen_and_its_defaults_are_the_models():
    data = CompanyInput(name="Indus Code", kind="company", city="Gujranwala")
    with pytest.raises(FrozenInstanceError):
        data.headcount = 3  # type: ignore[misc]
    blank = Company()
    for name in COMPANY_FIELDS[3:]:
        assert getattr(data, name) == getattr(blank, name), name
    wanted = ApplicationInput(
        park=None,
        unit_kind="desk",
        desired_start=date(2027, 1, 1),
        duration_months=6,
        business_plan="x",
    )
    assert (wanted.seats, wanted.area_sqft) == (0, Decimal("0.00"))
