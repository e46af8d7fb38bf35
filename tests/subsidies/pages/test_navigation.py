"""The navigation of the billing pages by role, and what every billing page carries."""

import re

import pytest
from django.urls import reverse

from tests.subsidies.pages.support import charges_url, detail_url, signed_in, text, verify_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "billing", "schemes"),
    [
        ("company_user", False, False),
        ("park_manager", False, True),
        ("pseb_staff", True, True),
    ],
)
def test_the_nav_links_billing_pages_by_role(client, request, role, billing, schemes):
    body = text(signed_in(client, request.getfixturevalue(role)).get(reverse("dashboard")))
    assert f'href="{reverse("subsidies:statement_list")}"' in body
    assert (f'href="{reverse("subsidies:billing_run_list")}"' in body) is billing
    assert (f'href="{reverse("subsidies:scheme_list")}"' in body) is schemes


def current_nav_links(response) -> list[str]:
    page = response.content.decode()
    nav = page[page.index('<nav class="site-nav') : page.index("</nav>")]
    return re.findall(
        r'<a class="nav-link" href="[^"]*" aria-current="page">.*?'
        r'<span class="nav-link-title">([^<]+)</span></a>',
        nav,
    )


@pytest.mark.parametrize(
    ("role", "url", "section"),
    [
        ("company_user", "dashboard", "Dashboard"),
        ("company_user", "tenants:application_list", "Applications"),
        ("company_user", "tenants:application_create", "Applications"),
        ("company_user", "tenants:lease_list", "Leases"),
        ("company_user", "tenants:company", "Company"),
        ("company_user", "tenants:company_edit", "Company"),
        ("company_user", "subsidies:statement_list", "Statements"),
        ("company_user", "parks:list", "Parks"),
        ("park_manager", "parks:managed", "My parks"),
        ("park_manager", "parks:units", "My parks"),
        ("park_manager", "parks:occupancy", "My parks"),
        ("park_manager", "parks:detail", "Parks"),
        ("park_manager", "subsidies:scheme_list", "Schemes"),
        ("pseb_staff", "tenants:lease_list", "Leases"),
        ("pseb_staff", "subsidies:billing_run_list", "Billing"),
        ("pseb_staff", "subsidies:scheme_create", "Schemes"),
    ],
)
def test_the_nav_marks_the_section_of_the_current_page(client, request, park, role, url, section):
    args = [park.code] if url in ("parks:units", "parks:occupancy", "parks:detail") else []
    response = signed_in(client, request.getfixturevalue(role)).get(reverse(url, args=args))
    assert response.status_code == 200
    assert current_nav_links(response) == [section]


def test_the_nav_marks_the_section_of_detail_pages_too(
    client, pseb_staff, company_user, statement, lease
):
    signed_in(client, pseb_staff)
    assert current_nav_links(client.get(detail_url(statement))) == ["Statements"]
    assert current_nav_links(client.get(charges_url(lease))) == ["Leases"]
    run = reverse("subsidies:billing_run_detail", args=[statement.billing_run_id])
    assert current_nav_links(client.get(run)) == ["Billing"]
    lease_page = reverse("tenants:lease_detail", args=[lease.pk])
    assert current_nav_links(client.get(lease_page)) == ["Leases"]
    # the public check of a statement is no page of the Statements section
    assert current_nav_links(client.get(verify_url(statement))) == []


@pytest.mark.parametrize(("first_name", "shown"), [("", "manager.guj"), ("Imran", "Imran Ali")])
def test_the_nav_names_the_user_as_the_dashboard_greets_them(
    client, park_manager, first_name, shown
):
    park_manager.first_name, park_manager.last_name = first_name, "Ali" if first_name else ""
    park_manager.save()
    page = text(signed_in(client, park_manager).get(reverse("dashboard")))
    assert f">{shown}</a>" in page
    assert f"Welcome, {shown}" in page


def test_pages_carry_no_inline_style_or_script(client, pseb_staff, statement, lease):
    signed_in(client, pseb_staff)
    for url in (
        reverse("subsidies:statement_list"),
        detail_url(statement),
        reverse("subsidies:billing_run_list"),
        reverse("subsidies:billing_run_detail", args=[statement.billing_run_id]),
        reverse("subsidies:scheme_list"),
        reverse("subsidies:scheme_create"),
        charges_url(lease),
        verify_url(statement),
    ):
        body = client.get(url).content.decode()
        # scripts only from files (CSP script-src 'self'), never inline
        assert re.findall(r"<script(?![^>]*\bsrc=)", body) == [], url
        assert "style=" not in body, url
        assert "<style" not in body, url
