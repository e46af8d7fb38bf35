"""Every model opens in the admin for PSEB staff, and for nobody else.

What PSEB may write there, and through which service, is proved in
tests/security/test_admin_write_path.py.
"""

from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse

from stp_portal.demo import seed_demo
from tests.pdfs import PDF

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


def test_every_app_model_is_registered():
    ours = {"accounts", "parks", "tenants", "subsidies"}
    from django.apps import apps

    missing = [
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in ours and m not in admin.site._registry
    ]
    assert missing == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_pseb_staff_can_list_search_and_open_each_model(client, model):
    seed_demo()
    from accounts.models import User

    client.force_login(User.objects.get(username="pseb"))
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"q": "a"}).status_code == 200
    obj = model.objects.order_by("pk").first()
    if obj is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert client.get(change).status_code == 200
    model_admin = admin.site._registry[model]
    if model_admin.has_add_permission(_request_for(client)):
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert client.get(add).status_code == 200


def _request_for(client):
    from django.test import RequestFactory

    from accounts.models import User

    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="pseb")
    return request


def test_company_users_and_park_managers_cannot_enter_the_admin(client, company_user, park_manager):
    for user in (company_user, park_manager):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert reverse("admin:login") in response.url


def test_admin_unit_rent_defaults_to_area_times_the_park_rate(client, pseb_staff, park):
    client.force_login(pseb_staff)
    response = client.post(
        reverse("admin:parks_unit_add"),
        {
            "park": park.pk,
            "code": "A-101",
            "floor": "1",
            "kind": "office",
            "area_sqft": "1000",
            "seats": "12",
            "monthly_rent": "",
            "internet_fee": "5000",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert park.units.get(code="A-101").monthly_rent == park.rent_per_sqft * 1000


def test_admin_refuses_a_lease_unit_already_let_for_those_dates(client, pseb_staff, park):
    from tests.factories import CompanyFactory, LeaseFactory, UnitFactory

    unit = UnitFactory(park=park, code="A-101")
    LeaseFactory(park=park, units=[unit], start_date=park.opening_date)
    client.force_login(pseb_staff)
    response = client.post(
        reverse("admin:tenants_lease_add"),
        {
            "company": CompanyFactory().pk,
            "park": park.pk,
            "start_date": "2026-01-01",
            "end_date": "",
            "units": unit.pk,
        },
    )
    assert response.status_code == 200
    assert "Already leased for overlapping dates" in response.content.decode()
    assert park.leases.count() == 1


def test_admin_uploads_no_documents_the_company_uploads_them_on_its_draft(client, pseb_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenants.models import ApplicationDocument
    from tests.factories import ApplicationFactory

    application = ApplicationFactory()
    client.force_login(pseb_staff)
    real = SimpleUploadedFile("Business Plan.pdf", PDF)
    url = reverse("admin:tenants_applicationdocument_add")
    response = client.post(url, {"application": application.pk, "file": real})
    assert response.status_code == 403
    assert not ApplicationDocument.objects.exists()


def test_admin_refuses_a_lease_at_a_park_before_it_opens(client, pseb_staff):
    from tests.factories import CompanyFactory, ParkFactory, UnitFactory

    park = ParkFactory(status="planned", opening_date=None)
    unit = UnitFactory(park=park)
    client.force_login(pseb_staff)
    response = client.post(
        reverse("admin:tenants_lease_add"),
        _lease_form(CompanyFactory().pk, park.pk, unit.pk, start="2020-01-01"),
    )
    assert response.status_code == 200
    assert "no lease can start before it" in response.content.decode()
    assert park.leases.count() == 0


def test_admin_shows_lease_units_read_only(client, pseb_staff):
    from tests.factories import LeaseFactory

    lease_unit = LeaseFactory().lease_units.get()
    client.force_login(pseb_staff)
    assert client.get(reverse("admin:tenants_leaseunit_add")).status_code == 403
    change = reverse("admin:tenants_leaseunit_change", args=[lease_unit.pk])
    response = client.post(change, {"start_date": "2000-01-01"})
    assert response.status_code == 403
    lease_unit.refresh_from_db()
    assert lease_unit.start_date != date(2000, 1, 1)


def test_admin_user_form_cannot_grant_admin_flags_they_follow_the_role(client, pseb_staff):
    from accounts.models import User
    from tests.factories import UserFactory

    user = UserFactory(role="company")
    client.force_login(pseb_staff)
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "email": user.email,
            "first_name": "",
            "last_name": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "role": "pseb",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(pk=user.pk)
    assert (user.role, user.is_staff, user.is_superuser) == ("company", False, False)


def _lease_form(company, park, unit, *, start):
    return {
        "company": company,
        "park": park,
        "start_date": start,
        "end_date": "",
        "units": unit,
    }
