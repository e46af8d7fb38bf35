"""Every model is editable in the admin by PSEB staff, and by nobody else."""

from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse

from stp_portal.demo import seed_demo

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
            "created_by": pseb_staff.pk,
            "termination_reason": "",
            "lease_units-TOTAL_FORMS": "1",
            "lease_units-INITIAL_FORMS": "0",
            "lease_units-MIN_NUM_FORMS": "0",
            "lease_units-MAX_NUM_FORMS": "1000",
            "lease_units-0-unit": unit.pk,
            "lease_units-0-monthly_rent": "",
            "lease_units-0-internet_fee": "",
        },
    )
    assert response.status_code == 200
    assert "Already leased for overlapping dates" in response.content.decode()
    assert park.leases.count() == 1


def test_admin_document_upload_accepts_a_pdf_and_refuses_anything_else(client, pseb_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenants.models import ApplicationDocument
    from tests.factories import ApplicationFactory

    application = ApplicationFactory()
    client.force_login(pseb_staff)
    url = reverse("admin:tenants_applicationdocument_add")

    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    response = client.post(url, {"application": application.pk, "file": fake})
    assert response.status_code == 200
    assert "this file is not a PDF" in response.content.decode()
    assert not ApplicationDocument.objects.exists()

    real = SimpleUploadedFile("Business Plan.pdf", b"%PDF-1.7\n%%EOF\n")
    response = client.post(url, {"application": application.pk, "file": real})
    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    assert (document.original_name, document.size_bytes, document.uploaded_by) == (
        "Business Plan.pdf",
        15,
        pseb_staff,
    )
    assert document.file.name.startswith(f"private/applications/{application.pk}/")
    assert "Business" not in document.file.name


def test_admin_refuses_a_lease_at_a_park_before_it_opens(client, pseb_staff):
    from tests.factories import CompanyFactory, ParkFactory, UnitFactory

    park = ParkFactory(status="planned", opening_date=None)
    unit = UnitFactory(park=park)
    client.force_login(pseb_staff)
    response = client.post(
        reverse("admin:tenants_lease_add"),
        _lease_form(CompanyFactory().pk, park.pk, pseb_staff.pk, unit.pk, start="2020-01-01"),
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


def test_admin_user_form_refuses_admin_flags_for_a_company_user(client, pseb_staff):
    from accounts.models import User
    from tests.factories import UserFactory

    user = UserFactory(role="company")
    client.force_login(pseb_staff)
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "username": user.username,
            "email": user.email,
            "role": "company",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    assert "Only PSEB staff may have admin access" in response.content.decode()
    assert not User.objects.get(pk=user.pk).is_staff


def _lease_form(company, park, created_by, unit, *, start):
    return {
        "company": company,
        "park": park,
        "start_date": start,
        "end_date": "",
        "created_by": created_by,
        "lease_units-TOTAL_FORMS": "1",
        "lease_units-INITIAL_FORMS": "0",
        "lease_units-MIN_NUM_FORMS": "0",
        "lease_units-MAX_NUM_FORMS": "1000",
        "lease_units-0-unit": unit,
        "lease_units-0-monthly_rent": "",
        "lease_units-0-internet_fee": "",
    }
