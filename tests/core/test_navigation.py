"""The layout's navigation (core/navigation.py, templates/base.html, issue 12 §2): one list of
sections for the side bar, the phone's menu and the breadcrumbs; by role; the user and their
role always shown; no query of its own."""

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.navigation import navigation_for

pytestmark = pytest.mark.django_db

EVERY = [
    "Parks",
    "Dashboard",
    "Applications",
    "Leases",
    "Account",
    "Company",
    "My parks",
    "Returns",
    "Statements",
    "Payments",
    "Billing",
    "Schemes",
    "Reports",
    "Audit",
    "Admin",
]
BY_ROLE = {
    "company_user": [
        "Parks",
        "Dashboard",
        "Applications",
        "Leases",
        "Account",
        "Company",
        "Returns",
        "Statements",
        "Payments",
    ],
    "park_manager": [
        "Parks",
        "Dashboard",
        "Applications",
        "Leases",
        "My parks",
        "Returns",
        "Statements",
        "Payments",
        "Schemes",
        "Reports",
    ],
    "pseb_staff": [
        "Parks",
        "Dashboard",
        "Applications",
        "Leases",
        "My parks",
        "Returns",
        "Statements",
        "Payments",
        "Billing",
        "Schemes",
        "Reports",
        "Audit",
        "Admin",
    ],
}


def side_nav(page: str) -> str:
    return page[page.index('<nav class="site-nav"') : page.index("</nav>")]


def labels(nav: str) -> list[str]:
    return re.findall(r'<span class="nav-link-title">([^<]+)</span>', nav)


def breadcrumbs(page: str) -> list[str]:
    trail = page[page.index('<ol class="breadcrumb">') : page.index("</ol>")]
    items = re.findall(r"<li[^>]*>(.*?)</li>", trail, re.S)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


@pytest.mark.parametrize("role", list(BY_ROLE))
def test_the_side_navigation_lists_the_sections_of_the_role(client, request, role):
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("dashboard")).content.decode()
    assert labels(side_nav(page)) == BY_ROLE[role]


def test_pseb_staff_without_the_admin_do_not_see_it(client, pseb_staff):
    pseb_staff.is_staff = pseb_staff.is_superuser = False
    pseb_staff.save()
    client.force_login(pseb_staff)
    assert "Admin" not in labels(side_nav(client.get(reverse("dashboard")).content.decode()))


def test_the_phone_menu_is_the_same_navigation_and_opens_without_javascript(client, company_user):
    client.force_login(company_user)
    page = client.get(reverse("tenants:lease_list")).content.decode()
    # one navigation: the side bar is the off-canvas panel below lg
    assert page.count('<nav class="site-nav"') == 1
    assert re.search(r'<aside id="nav" class="[^"]*offcanvas-xl offcanvas-start', page)
    button = re.search(r'<a class="btn btn-primary site-menu-button[^>]*>', page).group(0)
    assert 'href="#nav"' in button  # a plain link to the panel when scripts do not run
    assert 'aria-controls="nav"' in button
    assert 'aria-expanded="false"' in button


def test_the_user_and_their_role_are_always_shown(client, park_manager):
    park_manager.first_name, park_manager.last_name = "Imran", "Ali"
    park_manager.save()
    client.force_login(park_manager)
    page = client.get(reverse("tenants:lease_list")).content.decode()
    top = page[page.index('<header class="navbar site-topbar') : page.index("</header>")]
    assert ">Imran Ali</a>" in top
    assert '<span class="site-role">Park manager</span>' in top
    panel = page[page.index('<div class="site-user-card') : page.index('<nav class="site-nav"')]
    # in the phone's menu too
    assert "Imran Ali" in panel
    assert "Park manager" in panel
    assert 'action="/accounts/sign-out/"' in page


def test_visitors_get_a_top_bar_with_parks_sign_up_and_sign_in(client):
    page = client.get(reverse("parks:list")).content.decode()
    assert 'id="nav"' not in page
    bar = page[page.index('<nav class="site-nav site-nav-public') : page.index("</nav>")]
    assert re.findall(r'class="nav-link"[^>]*>([^<]+)</a>', bar) == ["Parks", "Sign up"]
    assert "Sign in</a>" in bar


@pytest.mark.parametrize(
    ("url", "trail"),
    [
        ("tenants:lease_list", ["Home", "Leases"]),
        ("subsidies:scheme_create", ["Home", "Schemes", "New subsidy scheme"]),
        ("accounts:password_change", ["Home", "Change your password"]),
    ],
)
def test_breadcrumbs_come_from_the_section_and_the_page_title(client, pseb_staff, url, trail):
    client.force_login(pseb_staff)
    page = client.get(reverse(url)).content.decode()
    assert breadcrumbs(page) == trail
    assert '<li class="breadcrumb-item active" aria-current="page">' in page


def test_the_home_page_has_no_breadcrumbs(client):
    assert '<ol class="breadcrumb">' not in client.get(reverse("home")).content.decode()


def test_the_sections_are_worked_out_without_a_query(pseb_staff):
    user = pseb_staff.__class__.objects.get(pk=pseb_staff.pk)
    with CaptureQueriesContext(connection) as queries:
        nav = navigation_for(user, ("subsidies", "statement_detail"), "/statements/1/")
    assert len(queries) == 0
    assert nav.section.label == "Statements"
    assert not nav.section_index
    assert [link.label for link in nav.links if link.current] == ["Statements"]


def test_every_section_shows_for_some_role_and_is_named_once():
    def user(**roles):
        flags = {"is_company_user": False, "is_pseb_staff": False, "is_park_manager": False}
        return SimpleNamespace(is_authenticated=True, **{"is_staff": False, **flags, **roles})

    seen = [
        link.label
        for someone in (user(is_company_user=True), user(is_pseb_staff=True, is_staff=True))
        for link in navigation_for(someone, ("", ""), "/").links
    ]
    assert sorted(set(seen), key=EVERY.index) == EVERY
