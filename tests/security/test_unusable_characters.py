"""No address makes the portal fail (issue 7, the bugs): a NUL or other control character,
bytes that are not UTF-8, ``..`` or a very long segment in any path or query answer 400 or
404 (or whatever the page answers to an ordinary visitor), never 500; and every ``next`` is a
safe path of this site, never read as a URL name.

The sweep walks every URL pattern of the portal (the admin and the API included) and fills
each parameter with each hostile value. It runs on SQLite and on PostgreSQL (which refuses
NUL in a string, where the 500s were found): DATABASE_URL=postgres://... pytest this file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tenants.selectors import company_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VALUES = {
    "nul": "GLT%00",
    "dot-dot": "%2e%2e",
    "long": "a" * 5000,
    "long-digits": "9" * 5000,
    "ordinary-number": "1",
    "ordinary-code": "GLT",
}
COMPANY = {
    "name": "Karakoram Code (Pvt) Ltd",
    "kind": "company",
    "city": "Gilgit",
    "pseb_registration": "PSEB/2026/0077",
    "secp_number": "0123477",
    "ntn": "7654321-0",
    "website": "karakoram.example.pk",
    "headcount": "8",
    "women_headcount": "3",
    "export_earnings_usd": "50000.00",
    "services": "Mobile apps",
}
QUERIES = {
    "nul": "q=%00&status=%00",
    "control": "period=2025-01%0d%0aX:1",
    "not-utf8": "q=%ff%fe",
    "long": "page=" + "9" * 5000 + "&search=" + "a" * 5000,
    "dot-dot": "next=%2e%2e&page=%2e%2e",
    "next-word": "next=x",
}


def _without_groups(regex: str, value: str) -> str:
    """The regex with each named group, nested parentheses and all, replaced by ``value``."""
    out, i = [], 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            depth, j = 0, i
            while True:
                if regex[j] == "\\":
                    j += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
                if depth == 0:
                    break
            out.append(value)
            i = j
        else:
            out.append(regex[i])
            i += 1
    return "".join(out)


def _path(route: str, value: str) -> str:
    route = re.sub(r"<(?:\w+:)?\w+>", value, route)  # path() converters
    route = _without_groups(route, value)  # re_path() groups
    route = route.replace("^", "").replace("$", "").replace("\\", "").replace("?", "")
    return route


def _routes() -> Iterator[str]:
    """Every route of the URLconf, prefixes joined, as its pattern text."""

    def walk(patterns, prefix: str) -> Iterator[str]:
        for p in patterns:
            text = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, text)
            elif isinstance(p, URLPattern):
                yield text

    yield from walk(get_resolver().url_patterns, "")


ROUTES = sorted(set(_routes()))


def _addresses() -> list[str]:
    """Each route with every hostile value in every parameter, and the hostile queries on
    each route filled with an ordinary value."""
    addresses: set[str] = set()
    for route in ROUTES:
        for value in VALUES.values():
            addresses.add("/" + _path(route, value))
        ordinary = "/" + _path(route, VALUES["ordinary-number"])
        for query in QUERIES.values():
            addresses.add(f"{ordinary}?{query}")
    return sorted(addresses)


def _failures(client: Client) -> list[tuple[str, int]]:
    failures = []
    for address in _addresses():
        response = client.get(address)
        if response.status_code >= 500:
            failures.append((address[:120], response.status_code))
    return failures


def test_the_sweep_covers_every_kind_of_route():
    # The page routes, the API's path() and router re_path() routes, and the admin.
    assert len(ROUTES) > 100
    for sample in ("verify/<str:token>/", "parks/<str:code>/units/", "api/v1/", "admin/"):
        assert any(route.startswith(sample) for route in ROUTES), sample


def test_an_anonymous_sweep_of_every_route_finds_no_server_error(client):
    client.raise_request_exception = False
    assert _failures(client) == []


def test_a_pseb_staff_sweep_of_every_route_finds_no_server_error(client, pseb_staff):
    client.raise_request_exception = False
    client.force_login(pseb_staff)
    assert _failures(client) == []


def test_a_park_manager_sweep_of_the_manager_pages_finds_no_server_error(
    client, park_manager, park
):
    client.raise_request_exception = False
    client.force_login(park_manager)
    for route in ROUTES:
        if not route.startswith("parks/<str:code>/"):
            continue
        for value in (f"{park.code}%00", f"{park.code}%01", "%2e%2e", "a" * 5000):
            address = "/" + _path(route, value).replace(value, value, 1)
            assert client.get(address).status_code < 500, (route, value[:20])


@pytest.mark.parametrize("address", ["/verify/%00/", "/parks/GLT%00/", "/parks/GLT%00/units/"])
def test_a_nul_in_a_path_segment_is_a_bad_request(client, address):
    assert client.get(address).status_code == 400


@pytest.mark.parametrize("query", ["q=%00", "q=%7f", "q=%c2%85", "q=%ed%a0%80", "q=%ff"])
def test_a_control_character_or_bytes_not_utf8_in_the_query_are_a_bad_request(client, query):
    assert client.get(f"/parks/?{query}").status_code == 400


def test_an_api_address_with_a_nul_gets_a_json_bad_request(client):
    response = client.get("/api/v1/parks/GLT%00/")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("address", ["/parks/%ff/", "/parks/%c0%af/", "/parks/%F0%9F%98%80/"])
def test_bytes_not_utf8_or_an_emoji_in_a_path_are_refused_or_not_found_never_500(client, address):
    assert client.get(address).status_code in (400, 404)


def test_ordinary_text_in_the_query_is_still_welcome(client):
    assert client.get("/parks/?q=Gilgit%20STP%20%E2%80%94%20caf%C3%A9").status_code == 200


# --- next -------------------------------------------------------------------------------------
@pytest.mark.parametrize("next_", ["x", "dashboard", "https://evil.example/", "//evil.example"])
def test_company_creation_never_reads_next_as_a_url_name_or_leaves_the_site(
    client, company_user, next_
):
    # The user already has a company: the page sends them on to next, if it is safe.
    assert company_of(company_user) is not None
    client.force_login(company_user)
    response = client.get(reverse("tenants:company_create"), {"next": next_})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_company_creation_with_next_x_creates_the_company_and_redirects(client):
    user = UserFactory(username="newcomer")
    client.force_login(user)
    response = client.post(reverse("tenants:company_create") + "?next=x", COMPANY)
    assert response.status_code == 302
    assert company_of(user) is not None
