"""Issue 7 items 10 and 11: the OpenAPI schema is true (each operation's error responses with
the bodies the API answers, the real bounds of its parameters), and a charge has an upper bound
(``CHARGE_MAX_AMOUNT``) with one amount rule in pages, API and services.

tests/api/test_fuzz.py runs schemathesis with all its checks against the same schema."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from core.calendar import FIRST_YEAR, LAST_YEAR, PERIOD_PATTERN
from core.money import amount_problem
from subsidies.models import Charge
from tests.factories import LeaseFactory, MembershipFactory, ParkFactory, UnitFactory

pytestmark = pytest.mark.django_db

ERROR_BODIES = {
    "400": "ValidationError",
    "401": "Error",
    "403": "Error",
    "404": "Error",
    "409": "Conflict",
    "413": "Error",
    "415": "Error",
    "429": "Error",
}
TOO_BIG = "9999999999.99"
TOO_BIG_MESSAGE = "The amount can be at most 10,000,000.00."


def openapi(api) -> dict:
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


# --- Error responses -----------------------------------------------------------------------------
def test_every_operation_documents_its_errors_with_the_shared_error_bodies(api):
    schema = openapi(api)
    for method, path, operation in operations(schema):
        responses = operation["responses"]
        errors = {code for code in responses if code >= "400"}
        # Any address may hold unusable characters: every operation can answer 400.
        assert "400" in errors, (method, path)
        for code in errors:
            body = responses[code]["content"]["application/json"]["schema"]["$ref"]
            assert body == f"#/components/schemas/{ERROR_BODIES[code]}", (method, path, code)
            assert responses[code]["description"], (method, path, code)
        signed_in_only = {} not in operation.get("security", [{}])
        assert ("401" in errors) == (
            signed_in_only or path.startswith(("/api/v1/parks", "/api/v1/units"))
        ), (
            method,
            path,
        )
        if "{" in path:
            assert "404" in errors, (method, path)
        if method == "GET" and "{" not in path and "results" in str(responses["200"]):
            assert "404" in errors, (method, path)  # a page after the last
    assert set(ERROR_BODIES.values()) <= set(schema["components"]["schemas"])


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        ("POST", "/api/v1/auth/token/", {"400", "413", "415", "429"}),
        ("POST", "/api/v1/auth/signup/", {"400", "413", "415", "429"}),
        ("GET", "/api/v1/auth/tokens/", {"400", "401"}),
        ("GET", "/api/v1/parks/{id}/", {"400", "401", "404"}),
        ("GET", "/api/v1/subsidy-schemes/", {"400", "401", "403", "404"}),
        ("POST", "/api/v1/applications/{id}/submit/", {"400", "401", "403", "404", "409"}),
        (
            "POST",
            "/api/v1/applications/{id}/approve/",
            {"400", "401", "403", "404", "409", "413", "415"},
        ),
        ("POST", "/api/v1/charges/", {"400", "401", "403", "404", "413", "415"}),
        (
            "PATCH",
            "/api/v1/subsidy-schemes/{id}/",
            {"400", "401", "403", "404", "409", "413", "415"},
        ),
        (
            "POST",
            "/api/v1/statements/{id}/payments/",
            {"400", "401", "403", "404", "409", "413", "415"},
        ),
        ("PUT", "/api/v1/parks/{id}/", {"400", "401", "403", "404", "413", "415"}),
    ],
)
def test_an_operation_documents_the_errors_it_can_answer_and_no_other(api, method, path, codes):
    operation = openapi(api)["paths"][path][method.lower()]
    assert {code for code in operation["responses"] if code >= "400"} == codes


def test_throttled_answers_document_retry_after(api):
    responses = openapi(api)["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "Retry-After" in responses["429"]["headers"]


def test_the_documented_error_bodies_are_what_the_api_answers(api, as_user, company_user):
    from jsonschema import Draft4Validator

    schemas = openapi(api)["components"]["schemas"]

    def check(response, name):
        problems = list(Draft4Validator(schemas[name]).iter_errors(response.json()))
        assert not problems, (response.json(), problems)

    check(api.get("/api/v1/companies/"), "Error")  # 401
    check(api.get("/api/v1/parks/", {"page": "0"}), "ValidationError")
    check(api.post("/api/v1/auth/token/", "{", content_type="application/json"), "ValidationError")
    check(api.get("/api/v1/parks/999/"), "Error")
    check(as_user(company_user).get("/api/v1/subsidy-schemes/"), "Error")  # 403
    check(as_user(company_user).post("/api/v1/companies/", {}, format="json"), "ValidationError")


def test_errors_of_the_pdf_download_are_json_even_when_the_pdf_was_asked_for(as_user, pseb_staff):
    response = as_user(pseb_staff).get("/api/v1/statements/999999/pdf/", {"format": "pdf"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No Statement matches the given query."}


# --- Parameter bounds ----------------------------------------------------------------------------
def test_parameters_document_their_real_bounds(api):
    paths = openapi(api)["paths"]
    statements = {p["name"]: p["schema"] for p in paths["/api/v1/statements/"]["get"]["parameters"]}
    assert statements["page"] == {"type": "integer", "minimum": 1}
    assert statements["period"]["pattern"] == PERIOD_PATTERN
    assert statements["company"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    assert statements["park"]["pattern"]  # never blank, no control character
    detail = paths["/api/v1/statements/{id}/"]["get"]["parameters"]
    assert detail[0]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    document = paths["/api/v1/applications/{id}/documents/{document_pk}/"]["get"]["parameters"]
    assert {p["name"]: p["schema"]["type"] for p in document} == {
        "document_pk": "integer",
        "id": "integer",
    }


@pytest.mark.parametrize(
    "period",
    [
        f"{FIRST_YEAR - 1}-12",
        f"{FIRST_YEAR}-01",
        "2026-03",
        "2026-12",
        f"{LAST_YEAR}-12",
        f"{LAST_YEAR + 1}-01",
        "0000-00",
        "2026-00",
        "2026-13",
        "2026-3",
        " 2026-03",
        "2026-03 ",
        "２０２６-03",
        "",
    ],
)
def test_the_period_pattern_documents_exactly_the_periods_the_api_accepts(
    as_user, pseb_staff, period
):
    documented = re.search(PERIOD_PATTERN, period) is not None
    response = as_user(pseb_staff).get("/api/v1/statements/", {"period": period})
    assert response.status_code == (200 if documented else 400), response.json()
    if not documented:
        assert list(response.json()) == ["period"]


@pytest.mark.parametrize("page", ["0", "-1", "", "last", "1.0", "²"])
def test_a_page_the_schema_refuses_is_a_400_on_the_page_field(api, page):
    response = api.get("/api/v1/parks/", {"page": page})
    assert (response.status_code, list(response.json())) == (400, ["page"])


def test_a_page_after_the_last_is_a_404_as_documented(api):
    ParkFactory()
    response = api.get("/api/v1/parks/", {"page": "2"})
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "There is no page 2: the last page is 1."},
    )


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/statements/", "period"),
        ("/api/v1/statements/", "park"),
        ("/api/v1/statements/", "status"),
        ("/api/v1/charges/", "period"),
        ("/api/v1/billing-runs/", "period"),
        ("/api/v1/applications/", "q"),
        ("/api/v1/parks/", "city"),
    ],
)
def test_a_filter_given_blank_is_a_400_on_that_filter(as_user, pseb_staff, path, name):
    for blank in ("", "  "):
        response = as_user(pseb_staff).get(path, {name: blank})
        assert (response.status_code, response.json()) == (
            400,
            {name: ["Give a value, or leave this filter out."]},
        )


def test_a_path_with_characters_beyond_latin_1_is_a_404_not_a_500(client):
    # Django decodes the path before any middleware: reading it again as WSGI's latin-1 failed.
    response = client.get("/api/v1/parks/%F0%9F%98%8D/")
    assert response.status_code == 404


# --- The amount rule and the charge bound --------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "maximum", "problem"),
    [
        (Decimal("0.01"), None, None),
        (Decimal("0.00"), None, "The amount must be more than 0.00."),
        (Decimal("-5"), None, "The amount must be more than 0.00."),
        (None, None, "The amount must be more than 0.00."),
        (Decimal("NaN"), None, "The amount must be more than 0.00."),
        (Decimal("1.005"), None, "Amounts are in rupees and paisa: at most 2 decimals."),
        (Decimal("10000000.00"), Decimal("10000000.00"), None),
        (Decimal("10000000.01"), Decimal("10000000.00"), TOO_BIG_MESSAGE),
        (Decimal(TOO_BIG), None, None),
    ],
)
def test_the_amount_rule_is_one_pure_function(amount, maximum, problem):
    assert amount_problem(amount, maximum=maximum) == problem


@pytest.fixture
def managed_lease(park_manager, park):
    company = MembershipFactory().company
    unit = UnitFactory(park=park, monthly_rent=Decimal("60000.00"))
    return LeaseFactory(park=park, company=company, units=[unit], start_date=date(2026, 3, 15))


def charge(amount: str) -> dict:
    return {"period": "2026-04", "description": "Damages", "amount": amount}


def test_a_charge_over_the_maximum_is_refused_with_the_same_message_by_page_and_api(
    client, as_user, park_manager, managed_lease
):
    client.force_login(park_manager)
    page = client.post(reverse("subsidies:lease_charges", args=[managed_lease.pk]), charge(TOO_BIG))
    api = as_user(park_manager).post(
        "/api/v1/charges/", {"lease": managed_lease.pk, **charge(TOO_BIG)}, format="json"
    )

    assert page.status_code == 200
    assert page.context["form"].errors["amount"] == [TOO_BIG_MESSAGE]
    assert (api.status_code, api.json()) == (400, {"amount": [TOO_BIG_MESSAGE]})
    assert not Charge.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be more than 0.00."),
        ("-1", "The amount must be more than 0.00."),
        ("10.001", "Amounts are in rupees and paisa: at most 2 decimals."),
    ],
)
def test_a_bad_amount_reads_the_same_in_page_and_api(
    client, as_user, park_manager, managed_lease, amount, message
):
    client.force_login(park_manager)
    page = client.post(reverse("subsidies:lease_charges", args=[managed_lease.pk]), charge(amount))
    api = as_user(park_manager).post(
        "/api/v1/charges/", {"lease": managed_lease.pk, **charge(amount)}, format="json"
    )
    assert page.context["form"].errors["amount"] == [message]
    assert api.json() == {"amount": [message]}


def test_the_charge_maximum_is_configurable_and_documented(
    api, as_user, park_manager, managed_lease
):
    with override_settings(CHARGE_MAX_AMOUNT=Decimal("500.00")):
        post = as_user(park_manager).post
        over = post(
            "/api/v1/charges/", {"lease": managed_lease.pk, **charge("500.01")}, format="json"
        )
        at = post(
            "/api/v1/charges/", {"lease": managed_lease.pk, **charge("500.00")}, format="json"
        )
        amount = openapi(api)["components"]["schemas"]["ChargeInput"]["properties"]["amount"]

    assert (over.status_code, over.json()) == (
        400,
        {"amount": ["The amount can be at most 500.00."]},
    )
    assert at.status_code == 201
    assert amount["maximum"] == 500.0
    assert amount["minimum"] == 0.01
    assert "500.00" in amount["description"]


def test_the_default_charge_maximum_is_documented(api):
    amount = openapi(api)["components"]["schemas"]["ChargeInput"]["properties"]["amount"]
    assert amount["maximum"] == 10_000_000.0
    assert re.search(amount["pattern"], "10000000.00")
    assert not re.search(amount["pattern"], TOO_BIG)


@pytest.mark.parametrize("amount", ["1e30", "123456789012345678901234567890"])
def test_an_amount_beyond_any_money_column_is_a_400_in_page_and_api_not_a_500(
    client, as_user, park_manager, managed_lease, amount
):
    client.force_login(park_manager)
    page = client.post(reverse("subsidies:lease_charges", args=[managed_lease.pk]), charge(amount))
    api = as_user(park_manager).post(
        "/api/v1/charges/", {"lease": managed_lease.pk, **charge(amount)}, format="json"
    )
    assert page.status_code == 200
    assert page.context["form"].errors["amount"]
    assert api.status_code == 400
    assert api.json()["amount"]
    assert not Charge.objects.exists()


def test_a_body_no_parser_reads_is_a_documented_415(as_user, pseb_staff, api):
    # Schemathesis found one (a multipart part without a readable media type); the simplest
    # such body is one of a media type the API does not read at all.
    response = as_user(pseb_staff).generic(
        "POST", "/api/v1/billing-runs/", b"period=2026-10", content_type="text/plain"
    )
    documented = openapi(api)["paths"]["/api/v1/billing-runs/"]["post"]["responses"]
    assert response.status_code == 415
    assert "415" in documented
