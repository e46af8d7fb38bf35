"""Every route, for every role: who gets in, who is refused (403), who cannot see it (404).

The world: company 1 (owner1) applies to and leases in park A (GUJ, managed by mgr_a);
company 2 (owner2) in park B (GLT, managed by mgr_b); PSEB staff see all. Each case targets
company 1 / park A objects. ``test_every_route_is_in_the_matrix`` fails when a route is
added without a row here, so no route ships untested.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.vocabulary import ApplicationStatus
from reports.registry import REPORTS
from tenants.services import invitation_create
from tests import factories
from tests.pdfs import PDF

pytestmark = pytest.mark.django_db

ROLES = ["anon", "owner1", "owner2", "mgr_a", "mgr_b", "pseb"]


@dataclass(frozen=True)
class Case:
    route: str  # URL name, namespaced
    method: str
    expect: dict[str, int | str]  # role -> status code, or "login" (redirect to sign in)
    kwargs: Callable[[dict], dict] = lambda w: {}
    data: Callable[[dict], Any] = lambda w: None
    api: bool = False
    multipart: bool = False
    label: str = ""
    extra: dict = field(default_factory=dict)
    query: str = ""  # a query string for the URL (a report's ?format=)


def pages(route, method="GET", **kw):
    return dict(route=route, method=method, **kw)


# Shorthands for the common shapes of expectation.
EVERYONE_200 = dict.fromkeys(ROLES, 200)
SIGNED_IN_200 = {"anon": "login", **dict.fromkeys(ROLES[1:], 200)}
MANAGE_A = {"anon": "login", "owner1": 404, "owner2": 404, "mgr_a": 200, "mgr_b": 404, "pseb": 200}
SEE_1A = {"anon": "login", "owner1": 200, "owner2": 404, "mgr_a": 200, "mgr_b": 404, "pseb": 200}
API_SEE_1A = {**SEE_1A, "anon": 401}
# A draft never submitted is the company's own: the park's manager does not see it yet.
SEE_DRAFT = {**SEE_1A, "mgr_a": 404}
API_SEE_DRAFT = {**SEE_DRAFT, "anon": 401}


def _expect(anon, owner1, owner2, mgr_a, mgr_b, pseb):
    return dict(zip(ROLES, (anon, owner1, owner2, mgr_a, mgr_b, pseb), strict=True))


APP = {
    "draft": lambda w: {"pk": w["app_draft"].pk},
    "submitted": lambda w: {"pk": w["app_submitted"].pk},
    "review": lambda w: {"pk": w["app_review"].pk},
    "returned": lambda w: {"pk": w["app_returned"].pk},
}
CODE_A = lambda w: {"code": "GUJ"}  # noqa: E731
UNIT_A = lambda w: {"code": "GUJ", "pk": w["unit_free"].pk}  # noqa: E731
CSV = lambda w: {"fmt": "csv"}  # noqa: E731
XLSX = lambda w: {"fmt": "xlsx"}  # noqa: E731
DOC = lambda w: {"pk": w["app_draft"].pk, "document_pk": w["document"].pk}  # noqa: E731
LEASE = lambda w: {"pk": w["lease1"].pk}  # noqa: E731
START = (timezone.localdate() + timedelta(days=40)).isoformat()
# --- billing pages
STATEMENT = lambda w: {"pk": w["statement"].pk}  # noqa: E731
CREDIT_NOTE = lambda w: {"pk": w["credit_note"].pk}  # noqa: E731
RECEIPT = lambda w: {"pk": w["receipt"].pk}  # noqa: E731
LEASE_CHARGES = lambda w: {"lease_pk": w["lease1"].pk}  # noqa: E731
PSEB_ONLY = _expect("login", 404, 404, 404, 404, 200)
REPORT_READERS = _expect("login", 404, 404, 200, 200, 200)
REPORT_NAMES = sorted(REPORTS)
# --- progress returns: company 1's return in park A for the last quarter (due or overdue),
# and the one before it, filed.
RETURN_DUE = lambda w: {"key": _return_key(w, _previous_quarter(0))}  # noqa: E731
RETURN_FILED = lambda w: {"key": _filed_return_1a(w)}  # noqa: E731
# The API names a return by the same key, as its ``pk``.
API_RETURN_DUE = lambda w: {"pk": RETURN_DUE(w)["key"]}  # noqa: E731
API_RETURN_FILED = lambda w: {"pk": RETURN_FILED(w)["key"]}  # noqa: E731
FILE_1A = _expect("login", 200, 404, 403, 404, 403)

CASES = [
    # --- public and account pages
    Case("home", "GET", EVERYONE_200),
    Case("health", "GET", EVERYONE_200),
    Case("dashboard", "GET", SIGNED_IN_200),
    Case("accounts:login", "GET", _expect(200, 302, 302, 302, 302, 302)),
    Case("accounts:logout", "GET", EVERYONE_200),
    Case("accounts:signup", "GET", _expect(200, 302, 302, 302, 302, 302)),
    Case("account", "GET", dict.fromkeys(ROLES, 302)),  # to /accounts/, which decides
    Case("accounts:account", "GET", SIGNED_IN_200),
    Case(
        "accounts:token_revoke",
        "POST",
        {"anon": "login", **dict.fromkeys(ROLES[1:], 404)},
        lambda w: {"token_key": "notatoken"},
    ),
    Case("accounts:password_change", "GET", SIGNED_IN_200),
    Case("accounts:password_change_done", "GET", SIGNED_IN_200),
    Case("accounts:password_reset", "GET", EVERYONE_200),
    Case("accounts:password_reset_done", "GET", EVERYONE_200),
    Case("accounts:password_reset_complete", "GET", EVERYONE_200),
    Case(
        "accounts:password_reset_confirm",
        "GET",
        EVERYONE_200,
        lambda w: {"uidb64": "MQ", "token": "forged-token"},
    ),
    # With the second factor off (as in these tests) it sends everyone on.
    Case("accounts:two_factor", "GET", {"anon": "login", **dict.fromkeys(ROLES[1:], 302)}),
    Case("accounts:verify_email", "GET", dict.fromkeys(ROLES, 302), lambda w: {"token": "x"}),
    Case(
        "accounts:verify_email_resend",
        "POST",
        {"anon": "login", **dict.fromkeys(ROLES[1:], 302)},
    ),
    # --- parks
    Case("parks:list", "GET", EVERYONE_200),
    Case("parks:detail", "GET", EVERYONE_200, CODE_A),
    # PSEB keeps the parks in the portal (issue 12 §5): nobody else learns these pages exist.
    Case("parks:create", "GET", PSEB_ONLY),
    # An invalid form is shown again with its messages (200); the others never see it.
    Case("parks:create", "POST", PSEB_ONLY, data=lambda w: {}, label="invalid"),
    Case("parks:edit", "GET", PSEB_ONLY, CODE_A),
    Case("parks:edit", "POST", PSEB_ONLY, CODE_A, data=lambda w: {}, label="invalid"),
    Case("parks:managers", "GET", PSEB_ONLY, CODE_A),
    Case(
        "parks:managers",
        "POST",
        _expect("login", 404, 404, 404, 404, 302),
        CODE_A,
        data=lambda w: {"manager": w["mgr_b"].pk},
        label="assign",
    ),
    Case(
        "parks:manager_remove",
        "POST",
        _expect("login", 404, 404, 404, 404, 302),
        lambda w: {"code": "GUJ", "pk": w["mgr_a"].park_assignments.get().pk},
    ),
    Case("parks:managed", "GET", _expect("login", 404, 404, 200, 200, 200)),
    Case("parks:units", "GET", MANAGE_A, CODE_A),
    Case("parks:unit_export", "GET", MANAGE_A, lambda w: {"code": "GUJ", "fmt": "csv"}),
    Case(
        "parks:unit_export",
        "GET",
        MANAGE_A,
        lambda w: {"code": "GUJ", "fmt": "xlsx"},
        label="xlsx",
    ),
    Case("parks:unit_create", "GET", MANAGE_A, CODE_A),
    Case("parks:unit_edit", "GET", MANAGE_A, UNIT_A),
    Case("parks:unit_import", "GET", MANAGE_A, CODE_A),
    Case("parks:unit_import_template", "GET", MANAGE_A, CODE_A),
    Case("parks:occupancy", "GET", MANAGE_A, CODE_A),
    # --- company
    Case("tenants:company", "GET", _expect("login", 200, 200, 404, 404, 404)),
    Case("tenants:company_create", "GET", _expect("login", 302, 302, 302, 302, 302)),
    Case("tenants:company_edit", "GET", _expect("login", 200, 200, 404, 404, 404)),
    Case(
        "tenants:company_invite",
        "POST",
        _expect("login", 302, 302, 404, 404, 404),
        data=lambda w: {"email": "new.member@example.pk"},
    ),
    Case(
        "tenants:invitation_accept", "GET", EVERYONE_200, lambda w: {"token": w["invitation_token"]}
    ),
    Case("tenants:company_detail", "GET", SEE_1A, lambda w: {"pk": w["company1"].pk}),
    # --- applications
    Case("tenants:application_list", "GET", SIGNED_IN_200),
    Case("tenants:application_export", "GET", SIGNED_IN_200, CSV),
    Case("tenants:application_export", "GET", SIGNED_IN_200, XLSX, label="xlsx"),
    Case("tenants:application_create", "GET", _expect("login", 200, 200, 404, 404, 404)),
    Case("tenants:application_detail", "GET", SEE_DRAFT, APP["draft"]),
    Case("tenants:application_detail", "GET", SEE_1A, APP["returned"], label="returned"),
    Case(
        "tenants:application_edit", "GET", _expect("login", 200, 404, 404, 404, 403), APP["draft"]
    ),
    Case(
        "tenants:application_edit",
        "GET",
        _expect("login", 200, 404, 403, 404, 403),
        APP["returned"],
        label="returned",
    ),
    Case(
        "tenants:application_approve",
        "GET",
        _expect("login", 403, 404, 403, 404, 200),
        APP["review"],
    ),
    # A submitted application is approved in one step (its review starts on the way).
    Case(
        "tenants:application_approve",
        "GET",
        _expect("login", 403, 404, 403, 404, 200),
        APP["submitted"],
        label="submitted",
    ),
    Case(
        "tenants:document_upload",
        "POST",
        _expect("login", 302, 404, 404, 404, 403),
        APP["draft"],
        data=lambda w: {"file": SimpleUploadedFile("plan.pdf", PDF)},
        multipart=True,
    ),
    Case(
        "tenants:document_upload",
        "POST",
        _expect("login", 302, 404, 403, 404, 403),
        APP["returned"],
        data=lambda w: {"file": SimpleUploadedFile("plan.pdf", PDF)},
        multipart=True,
        label="returned",
    ),
    Case("tenants:document_download", "GET", SEE_DRAFT, DOC),
    Case("tenants:document_delete", "POST", _expect("login", 302, 404, 404, 404, 403), DOC),
    Case(
        "tenants:application_transition",
        "POST",
        _expect("login", 302, 404, 404, 404, 403),
        lambda w: {"pk": w["app_draft"].pk, "action": "submit"},
        label="submit",
    ),
    Case(
        "tenants:application_transition",
        "POST",
        _expect("login", 302, 404, 403, 404, 403),
        lambda w: {"pk": w["app_returned"].pk, "action": "submit"},
        label="resubmit",
    ),
    Case(
        "tenants:application_transition",
        "POST",
        _expect("login", 403, 404, 403, 404, 302),
        lambda w: {"pk": w["app_submitted"].pk, "action": "review"},
        label="review",
    ),
    Case(
        "tenants:application_transition",
        "POST",
        _expect("login", 403, 404, 403, 404, 302),
        lambda w: {"pk": w["app_review"].pk, "action": "reject"},
        data=lambda w: {"reason": "No space", "confirm": "1"},
        label="reject",
    ),
    # Reject and return are asked again first: a page, nothing changed (issue 12 §7).
    Case(
        "tenants:application_transition",
        "POST",
        _expect("login", 403, 404, 403, 404, 200),
        lambda w: {"pk": w["app_review"].pk, "action": "reject"},
        data=lambda w: {"reason": "No space"},
        label="reject-asked",
    ),
    Case(
        "tenants:application_transition",
        "POST",
        _expect("login", 403, 404, 403, 404, 200),
        lambda w: {"pk": w["app_review"].pk, "action": "return"},
        data=lambda w: {"reason": "Add a plan"},
        label="return-asked",
    ),
    # --- leases
    Case("tenants:lease_list", "GET", SIGNED_IN_200),
    Case("tenants:lease_export", "GET", SIGNED_IN_200, CSV),
    Case("tenants:lease_export", "GET", SIGNED_IN_200, XLSX, label="xlsx"),
    Case("tenants:lease_detail", "GET", SEE_1A, LEASE),
    Case("tenants:lease_terminate", "GET", _expect("login", 403, 404, 403, 404, 200), LEASE),
    Case(
        "tenants:lease_terminate",
        "POST",
        _expect("login", 403, 404, 403, 404, 302),
        LEASE,
        data=lambda w: {"end_date": "2026-12-31"},
        label="post",
    ),
    # --- billing pages
    Case("subsidies:statement_list", "GET", SIGNED_IN_200),
    Case("subsidies:statement_export", "GET", SIGNED_IN_200, CSV),
    Case("subsidies:statement_export", "GET", SIGNED_IN_200, XLSX, label="xlsx"),
    Case("subsidies:payment_list", "GET", SIGNED_IN_200),
    Case("subsidies:payment_export", "GET", SIGNED_IN_200, CSV),
    Case("subsidies:payment_export", "GET", SIGNED_IN_200, XLSX, label="xlsx"),
    Case("subsidies:statement_detail", "GET", SEE_1A, STATEMENT),
    Case("subsidies:statement_pdf", "GET", SEE_1A, STATEMENT),
    Case("subsidies:credit_note_detail", "GET", SEE_1A, CREDIT_NOTE),
    Case("subsidies:credit_note_pdf", "GET", SEE_1A, CREDIT_NOTE),
    Case(
        "subsidies:statement_payment",
        "POST",
        _expect("login", 403, 404, 302, 404, 302),
        STATEMENT,
        data=lambda w: {"amount": "100.00", "paid_on": "2025-02-10", "reference": "TT-1"},
    ),
    Case(
        "subsidies:statement_credit_note",
        "POST",
        _expect("login", 403, 404, 403, 404, 302),
        STATEMENT,
        data=lambda w: {"reason": "Billed twice", "amount": "10.00"},
    ),
    # --- payments received, receipts and payment instructions (issue 12 §6)
    Case("subsidies:receipt_detail", "GET", SEE_1A, RECEIPT),
    Case("subsidies:receipt_pdf", "GET", SEE_1A, RECEIPT),
    Case("subsidies:payment_receive", "GET", _expect("login", 404, 404, 200, 200, 200)),
    Case(
        "subsidies:payment_receive",
        "POST",
        # mgr_b does not manage park A: it is no choice of theirs (the form says so).
        _expect("login", 404, 404, 200, 200, 200),
        data=lambda w: {
            "company": w["company1"].pk,
            "park": w["park_a"].pk,
            "amount": "10.00",
            "paid_on": "2025-02-10",
            "reference": "TT-2",
            "action": "preview",
        },
        label="preview",
    ),
    Case("subsidies:payment_instruction_list", "GET", _expect("login", 404, 404, 200, 200, 200)),
    Case(
        "subsidies:payment_instruction_edit",
        "GET",
        _expect("login", 404, 404, 403, 403, 200),
        CODE_A,
    ),
    Case(
        "subsidies:payment_instruction_edit",
        "POST",
        _expect("login", 404, 404, 403, 403, 302),
        CODE_A,
        data=lambda w: {
            "bank_name": "Habib Bank",
            "account_title": "PSEB STP Gujranwala",
            "iban": "PK36SCBL0000001123456702",
            "reference": "statement",
        },
        label="post",
    ),
    Case(
        "subsidies:statement_verify",
        "GET",
        EVERYONE_200,
        lambda w: {"token": w["statement"].verification_token},
    ),
    Case("subsidies:billing_run_list", "GET", PSEB_ONLY),
    Case(
        "subsidies:billing_run_list",
        "POST",
        {**PSEB_ONLY, "pseb": 302},
        data=lambda w: {"period": "2025-02", "park": ""},
        label="start",
    ),
    Case("subsidies:billing_run_preview", "GET", PSEB_ONLY, query="period=2025-02"),
    Case("subsidies:billing_run_detail", "GET", PSEB_ONLY, lambda w: {"pk": w["billing_run"].pk}),
    # --- progress returns (§4a): everyone reads their scope's; only the company files
    Case("returns:list", "GET", SIGNED_IN_200),
    Case("returns:export", "GET", SIGNED_IN_200, CSV),
    Case("returns:export", "GET", SIGNED_IN_200, XLSX, label="xlsx"),
    Case("returns:detail", "GET", SEE_1A, RETURN_DUE),
    Case("returns:detail", "GET", SEE_1A, RETURN_FILED, label="filed"),
    Case("returns:file", "GET", FILE_1A, RETURN_DUE),
    Case(
        "returns:file",
        "POST",
        {**FILE_1A, "owner1": 302},
        RETURN_DUE,
        data=lambda w: _return_figures(),
        label="post",
    ),
    Case("returns:amend", "GET", FILE_1A, RETURN_FILED),
    Case(
        "returns:amend",
        "POST",
        {**FILE_1A, "owner1": 302},
        RETURN_FILED,
        data=lambda w: {**_return_figures(), "reason": "Counted an intern twice"},
        label="post",
    ),
    # --- the audit trail: PSEB staff only
    Case("audit:changes", "GET", PSEB_ONLY),
    Case("audit:change_export", "GET", PSEB_ONLY),
    Case("audit:security_events", "GET", PSEB_ONLY),
    Case("audit:security_event_export", "GET", PSEB_ONLY),
    # --- programme reports (domain.md §7): PSEB all parks, managers theirs, nobody else
    Case("reports:overview", "GET", REPORT_READERS),
    *[
        Case("reports:report", "GET", REPORT_READERS, lambda w, n=name: {"name": n}, label=name)
        for name in REPORT_NAMES
    ],
    *[
        Case(
            "reports:report",
            "GET",
            REPORT_READERS,
            lambda w, n=name: {"name": n},
            label=f"{name}-{fmt}",
            query=f"format={fmt}",
        )
        for name in REPORT_NAMES
        for fmt in ("csv", "xlsx")
    ],
    Case(
        "reports:report",
        "GET",
        _expect("login", 404, 404, 404, 404, 404),
        lambda w: {"name": "nope"},
        label="unknown",
    ),
    *[
        Case(
            "api:report",
            "GET",
            {**REPORT_READERS, "anon": 401},
            lambda w, n=name: {"name": n},
            api=True,
            label=name,
        )
        for name in REPORT_NAMES
    ],
    *[
        Case(
            "api:report",
            "GET",
            {**REPORT_READERS, "anon": 401},
            lambda w, n=name: {"name": n},
            api=True,
            label=f"{name}-{fmt}",
            query=f"format={fmt}",
        )
        for name in REPORT_NAMES
        for fmt in ("csv", "xlsx")
    ],
    # --- progress returns' compliance (domain.md §4a): PSEB all parks, managers theirs
    Case("compliance:table", "GET", REPORT_READERS),
    *[
        Case("compliance:table", "GET", REPORT_READERS, label=label, query=query)
        for label, query in (
            ("csv", "format=csv"),
            ("xlsx", "format=xlsx"),
            ("overdue-csv", "format=csv&table=overdue"),
            ("overdue-xlsx", "format=xlsx&table=overdue"),
        )
    ],
    # A manager picks among their own parks only: another's is no choice (400, like reports).
    Case(
        "compliance:table",
        "GET",
        _expect("login", 404, 404, 200, 400, 200),
        label="park-A",
        query="park=GUJ",
    ),
    Case("subsidies:scheme_list", "GET", _expect("login", 404, 404, 200, 200, 200)),
    Case("subsidies:scheme_export", "GET", _expect("login", 404, 404, 200, 200, 200), CSV),
    Case(
        "subsidies:scheme_export",
        "GET",
        _expect("login", 404, 404, 200, 200, 200),
        XLSX,
        label="xlsx",
    ),
    Case("subsidies:scheme_create", "GET", _expect("login", 404, 404, 403, 403, 200)),
    Case(
        "subsidies:scheme_create",
        "POST",
        _expect("login", 404, 404, 403, 403, 302),
        data=lambda w: {
            "name": "Secondary cities 2027",
            "internet_pct": "100",
            "rent_pct": "30",
            "duration_months": "18",
            "valid_from": "2027-01-01",
            "anchor": "lease_start",
        },
        label="post",
    ),
    Case(
        "subsidies:scheme_edit",
        "GET",
        _expect("login", 404, 404, 403, 403, 200),
        lambda w: {"pk": w["scheme"].pk},
    ),
    Case("subsidies:lease_charges", "GET", SEE_1A, LEASE_CHARGES),
    Case(
        "subsidies:lease_charges",
        "POST",
        _expect("login", 403, 404, 302, 404, 302),
        LEASE_CHARGES,
        data=lambda w: {"period": "2025-02", "description": "Power backup", "amount": "1500"},
        label="record",
    ),
    # --- API: accounts
    Case(
        "api:signup",
        "POST",
        dict.fromkeys(ROLES, 201),
        api=True,
        data=lambda w: {
            "username": "newcomer",
            "email": "newcomer@example.pk",
            "password": "a-fine-long-password-2026",
        },
    ),
    Case(
        "api:token",
        "POST",
        dict.fromkeys(ROLES, 200),
        api=True,
        data=lambda w: {"username": "owner1", "password": factories.PASSWORD},
    ),
    Case("api:tokens", "GET", {"anon": 401, **dict.fromkeys(ROLES[1:], 200)}, api=True),
    Case(
        "api:token_revoke",
        "DELETE",
        {"anon": 401, **dict.fromkeys(ROLES[1:], 404)},
        lambda w: {"token_key": "notatoken"},
        api=True,
    ),
    Case("api:logout", "POST", {"anon": 401, **dict.fromkeys(ROLES[1:], 204)}, api=True),
    # --- API: parks and units
    Case("api:park-list", "GET", EVERYONE_200, api=True),
    Case(
        "api:park-list",
        "POST",
        _expect(401, 403, 403, 403, 403, 201),
        api=True,
        data=lambda w: {
            "code": "SKT",
            "name": "Sialkot STP",
            "city": "Sialkot",
            "province": "punjab",
            "tier": "secondary",
            "status": "upcoming",
            "opening_date": "2027-06-01",
            "rent_per_sqft": "55.00",
        },
        label="create",
    ),
    Case("api:park-detail", "GET", EVERYONE_200, lambda w: {"pk": w["park_a"].pk}, api=True),
    Case(
        "api:park-detail",
        "PATCH",
        _expect(401, 403, 403, 403, 403, 200),
        lambda w: {"pk": w["park_a"].pk},
        api=True,
        data=lambda w: {"operator": "PSEB"},
        label="edit",
    ),
    Case("api:unit-list", "GET", EVERYONE_200, api=True),
    Case(
        "api:unit-list",
        "POST",
        _expect(401, 403, 403, 201, 403, 201),
        api=True,
        data=lambda w: {
            "park": w["park_a"].pk,
            "code": "N-1",
            "kind": "desk",
            "area_sqft": "40",
            "seats": 1,
            "internet_fee": "1500",
        },
        label="create",
    ),
    Case(
        "api:unit-detail",
        "GET",
        _expect(404, 404, 404, 200, 404, 200),
        lambda w: {"pk": w["unit_leased"].pk},
        api=True,
    ),
    Case(
        "api:unit-detail",
        "PATCH",
        _expect(401, 404, 404, 200, 404, 200),
        lambda w: {"pk": w["unit_leased"].pk},
        api=True,
        data=lambda w: {"under_maintenance": True},
        label="edit",
    ),
    # --- API: companies
    Case("api:company-list", "GET", {**SIGNED_IN_200, "anon": 401}, api=True),
    Case(
        "api:company-list",
        "POST",
        _expect(401, 403, 403, 403, 403, 403),
        api=True,
        data=lambda w: {"name": "Another", "kind": "company", "city": "Sukkur"},
        label="create",
    ),
    Case("api:company-detail", "GET", API_SEE_1A, lambda w: {"pk": w["company1"].pk}, api=True),
    Case(
        "api:company-detail",
        "PATCH",
        _expect(401, 200, 404, 403, 404, 403),
        lambda w: {"pk": w["company1"].pk},
        api=True,
        data=lambda w: {"headcount": 30},
        label="edit",
    ),
    # --- API: applications
    Case("api:application-list", "GET", {**SIGNED_IN_200, "anon": 401}, api=True),
    Case(
        "api:application-list",
        "POST",
        _expect(401, 201, 201, 403, 403, 403),
        api=True,
        data=lambda w: {
            "park": w["park_a"].pk,
            "seats": 4,
            "unit_kind": "office",
            "desired_start": START,
            "duration_months": 12,
            "business_plan": "Grow",
        },
        label="create",
    ),
    Case("api:application-detail", "GET", API_SEE_DRAFT, APP["draft"], api=True),
    Case(
        "api:application-detail",
        "PATCH",
        _expect(401, 200, 404, 404, 404, 403),
        APP["draft"],
        api=True,
        data=lambda w: {"seats": 5},
        label="edit",
    ),
    Case(
        "api:application-detail",
        "PATCH",
        _expect(401, 200, 404, 403, 404, 403),
        APP["returned"],
        api=True,
        data=lambda w: {"seats": 5},
        label="edit returned",
    ),
    Case(
        "api:application-submit",
        "POST",
        _expect(401, 200, 404, 404, 404, 403),
        APP["draft"],
        api=True,
    ),
    Case(
        "api:application-submit",
        "POST",
        _expect(401, 200, 404, 403, 404, 403),
        APP["returned"],
        api=True,
        label="resubmit",
    ),
    Case(
        "api:application-withdraw",
        "POST",
        _expect(401, 200, 404, 403, 404, 403),
        APP["submitted"],
        api=True,
    ),
    Case(
        "api:application-review",
        "POST",
        _expect(401, 403, 404, 403, 404, 200),
        APP["submitted"],
        api=True,
    ),
    Case(
        "api:application-approve",
        "POST",
        _expect(401, 403, 404, 403, 404, 201),
        APP["review"],
        api=True,
        data=lambda w: {"units": [w["unit_free"].pk], "start_date": START},
    ),
    Case(
        "api:application-reject",
        "POST",
        _expect(401, 403, 404, 403, 404, 200),
        APP["review"],
        api=True,
        data=lambda w: {"reason": "No space this year"},
    ),
    Case(
        "api:application-return",
        "POST",
        _expect(401, 403, 404, 403, 404, 200),
        APP["review"],
        api=True,
        data=lambda w: {"reason": "Add the certificate"},
    ),
    Case(
        "api:application-documents",
        "POST",
        _expect(401, 201, 404, 404, 404, 403),
        APP["draft"],
        api=True,
        multipart=True,
        data=lambda w: {"file": SimpleUploadedFile("plan.pdf", PDF)},
    ),
    Case("api:application-document", "GET", API_SEE_DRAFT, DOC, api=True),
    # --- API: leases and schemes
    Case("api:lease-list", "GET", {**SIGNED_IN_200, "anon": 401}, api=True),
    Case("api:lease-detail", "GET", API_SEE_1A, LEASE, api=True),
    Case(
        "api:lease-terminate",
        "POST",
        _expect(401, 403, 404, 403, 404, 200),
        LEASE,
        api=True,
        data=lambda w: {"end_date": "2026-12-31"},
    ),
    Case("api:subsidy-scheme-list", "GET", _expect(401, 403, 403, 200, 200, 200), api=True),
    Case(
        "api:subsidy-scheme-list",
        "POST",
        _expect(401, 403, 403, 403, 403, 201),
        api=True,
        data=lambda w: {
            "name": "New",
            "internet_pct": "100",
            "rent_pct": "25",
            "duration_months": 12,
            "valid_from": "2027-01-01",
            "anchor": "lease_start",
        },
        label="create",
    ),
    Case(
        "api:subsidy-scheme-detail",
        "GET",
        _expect(401, 404, 404, 200, 200, 200),
        lambda w: {"pk": w["scheme"].pk},
        api=True,
    ),
    Case(
        "api:subsidy-scheme-detail",
        "PATCH",
        _expect(401, 404, 404, 403, 403, 200),
        lambda w: {"pk": w["scheme"].pk},
        api=True,
        data=lambda w: {"rent_pct": "30"},
        label="edit",
    ),
    # --- billing API
    Case("api:charge-list", "GET", {**SIGNED_IN_200, "anon": 401}, api=True),
    Case(
        "api:charge-list",
        "POST",
        _expect(401, 403, 404, 201, 404, 201),
        api=True,
        data=lambda w: {
            "lease": w["lease1"].pk,
            "period": "2025-03",
            "description": "Power backup",
            "amount": "1500.00",
        },
        label="record",
    ),
    Case("api:charge-detail", "GET", API_SEE_1A, lambda w: {"pk": _charge_1a(w).pk}, api=True),
    Case("api:billing-run-list", "GET", _expect(401, 403, 403, 403, 403, 200), api=True),
    Case(
        "api:billing-run-list",
        "POST",
        _expect(401, 403, 403, 403, 403, 201),
        api=True,
        data=lambda w: {"period": "2025-02", "park": "GUJ"},
        label="start",
    ),
    Case(
        "api:billing-run-detail",
        "GET",
        _expect(401, 404, 404, 404, 404, 200),
        lambda w: {"pk": w["billing_run"].pk},
        api=True,
    ),
    Case("api:statement-list", "GET", {**SIGNED_IN_200, "anon": 401}, api=True),
    Case("api:statement-detail", "GET", API_SEE_1A, STATEMENT, api=True),
    Case("api:statement-pdf", "GET", API_SEE_1A, STATEMENT, api=True),
    Case("api:credit-note-list", "GET", {**SIGNED_IN_200, "anon": 401}, api=True),
    Case("api:credit-note-detail", "GET", API_SEE_1A, CREDIT_NOTE, api=True),
    Case("api:credit-note-pdf", "GET", API_SEE_1A, CREDIT_NOTE, api=True),
    Case(
        "api:statement-payments",
        "POST",
        _expect(401, 403, 404, 201, 404, 201),
        STATEMENT,
        api=True,
        data=lambda w: {"amount": "100.00", "paid_on": "2025-02-10", "reference": "TT-1"},
    ),
    Case(
        "api:statement-credit-note",
        "POST",
        _expect(401, 403, 404, 403, 404, 201),
        STATEMENT,
        api=True,
        data=lambda w: {"reason": "Billed twice", "amount": "10.00"},
    ),
    # --- API: progress returns (§4a)
    Case("api:progress-return-list", "GET", {**SIGNED_IN_200, "anon": 401}, api=True),
    Case(
        "api:progress-return-list",
        "POST",
        # owner2's company held no lease in park A: no return of it is owed there (409).
        _expect(401, 201, 409, 403, 403, 403),
        api=True,
        data=lambda w: {"park": w["park_a"].pk, "quarter": _last_quarter(), **_return_body()},
        label="file",
    ),
    Case("api:progress-return-detail", "GET", API_SEE_1A, API_RETURN_DUE, api=True),
    Case(
        "api:progress-return-amend",
        "POST",
        _expect(401, 201, 404, 403, 404, 403),
        API_RETURN_FILED,
        api=True,
        data=lambda w: {"reason": "Counted an intern twice", **_return_body()},
    ),
    Case("api-schema", "GET", EVERYONE_200),
    Case("api-docs", "GET", EVERYONE_200),
    # --- admin: PSEB staff only (the admin's own pages are tested in test_admin.py)
    Case("admin:index", "GET", _expect(302, 302, 302, 302, 302, 200)),
    Case(
        "admin:tenants_application_change",
        "GET",
        _expect(302, 302, 302, 302, 302, 200),
        lambda w: {"object_id": w["app_draft"].pk},
    ),
]


# --- billing API
def _charge_1a(world: dict):
    """An other charge on company 1's lease in park A, for a month not billed yet."""
    from decimal import Decimal

    from subsidies.models import Charge

    return Charge.objects.create(
        lease=world["lease1"],
        period=date(2025, 3, 1),
        description="Parking",
        amount=Decimal("800.00"),
        created_by=world["pseb"],
    )


# --- progress returns
def _previous_quarter(back: int):
    from core.calendar import FiscalQuarter

    quarter = FiscalQuarter.of(timezone.localdate()).previous()
    for _ in range(back):
        quarter = quarter.previous()
    return quarter


def _last_quarter() -> str:
    return str(_previous_quarter(0))


def _return_key(world: dict, quarter) -> str:
    from returns.selectors import owed_key, quarter_row

    return owed_key(world["company1"].pk, world["park_a"].pk, quarter_row(quarter).pk)


def _filed_return_1a(world: dict) -> str:
    """Company 1's return in park A for the quarter before last, filed by its owner."""
    from returns.services import progress_return_file
    from tests.returns.support import figures

    quarter = _previous_quarter(1)
    progress_return_file(
        user=world["owner1"],
        company=world["company1"],
        park=world["park_a"],
        quarter=quarter,
        figures=figures(),
    )
    return _return_key(world, quarter)


def _return_figures() -> dict:
    """A return's figures as a person types them in the form."""
    from tests.returns.support import figures

    return {name: str(value) for name, value in figures().as_dict().items()}


def _return_body() -> dict:
    """A return's figures as an API client sends them (money as strings)."""
    from tests.returns.support import figures

    return {
        name: str(value) if isinstance(value, Decimal) else value
        for name, value in figures().as_dict().items()
    }


@pytest.fixture
def world():
    park_a = factories.ParkFactory(
        code="GUJ", name="Gujranwala STP", city="Gujranwala", opening_date=date(2024, 1, 1)
    )
    park_b = factories.ParkFactory(
        code="GLT", name="SCO STP Gilgit", city="Gilgit", opening_date=date(2024, 1, 1)
    )
    users = {
        "owner1": factories.MembershipFactory(
            user__username="owner1", company__name="Company One"
        ).user,
        "owner2": factories.MembershipFactory(
            user__username="owner2", company__name="Company Two"
        ).user,
        "mgr_a": factories.ParkManagerAssignmentFactory(park=park_a, user__username="mgr_a").user,
        "mgr_b": factories.ParkManagerAssignmentFactory(park=park_b, user__username="mgr_b").user,
        "pseb": factories.PsebStaffFactory(username="pseb"),
    }
    company1 = users["owner1"].memberships.get().company
    company2 = users["owner2"].memberships.get().company
    unit_free = factories.UnitFactory(park=park_a, code="A-101")
    unit_leased = factories.UnitFactory(park=park_a, code="A-102")
    lease1 = factories.LeaseFactory(
        company=company1, park=park_a, units=[unit_leased], start_date=date(2025, 1, 1)
    )
    factories.LeaseFactory(company=company2, park=park_b, start_date=date(2025, 1, 1))

    def application(status, park=park_a, company=company1, user=users["owner1"]):
        return factories.ApplicationFactory(
            company=company, park=park, created_by=user, status=status
        )

    app_draft = application(ApplicationStatus.DRAFT)
    document = app_draft.documents.create(
        file=SimpleUploadedFile("plan.pdf", PDF),
        original_name="plan.pdf",
        size_bytes=len(PDF),
        uploaded_by=users["owner1"],
    )
    application(ApplicationStatus.DRAFT, park=park_b, company=company2, user=users["owner2"])
    _, token = invitation_create(user=users["owner1"], company=company1, email="invitee@example.pk")
    billing_pages = _billing_pages_world(lease1, users["pseb"])  # --- billing pages
    return {
        **billing_pages,
        **users,
        "park_a": park_a,
        "park_b": park_b,
        "company1": company1,
        "unit_free": unit_free,
        "unit_leased": unit_leased,
        "lease1": lease1,
        "app_draft": app_draft,
        "document": document,
        "app_submitted": application(ApplicationStatus.SUBMITTED),
        "app_review": application(ApplicationStatus.UNDER_REVIEW),
        # Returned for changes: a draft again, but one the park has already seen.
        "app_returned": factories.ApplicationFactory(
            company=company1,
            park=park_a,
            created_by=users["owner1"],
            status=ApplicationStatus.DRAFT,
            submitted_at=timezone.now(),
        ),
        "invitation_token": token,
        "scheme": factories.SubsidySchemeFactory(),
    }


# --- billing pages
def _billing_pages_world(lease1, pseb) -> dict:
    """Company 1's statement for January 2025 in park A, with a stored PDF, and its run.

    Billed before the world's scheme exists, so no statement uses that scheme and the cases
    that edit it stay free to change its rules.
    """
    from django.core.files.base import ContentFile

    from subsidies import services as billing
    from subsidies.models import Statement

    run = billing.billing_run_start(
        user=None, period="2025-01", park=lease1.park, today=date(2025, 2, 1), queue=False
    )
    for chunk_id in billing.billing_run_plan(run.pk):
        billing.billing_chunk_bill(chunk_id, today=date(2025, 2, 1))
    statement = Statement.objects.get(billing_run=run, company=lease1.company)
    statement.pdf.save("statement.pdf", ContentFile(PDF))
    run.refresh_from_db()
    note = billing.credit_note_issue(
        user=pseb, statement=statement, reason="Power cut", amount=Decimal("1.00")
    )
    received = billing.payment_receive(
        user=pseb,
        company=lease1.company,
        park=lease1.park,
        amount=Decimal("5.00"),
        paid_on=date(2025, 2, 10),
        reference="TT-0",
    )
    return {
        "statement": statement,
        "billing_run": run,
        "credit_note": note,
        "receipt": received.receipt,
    }


def _client(world: dict, role: str, api: bool):
    if api:
        client = APIClient()
        if role != "anon":
            _, token = AuthToken.objects.create(user=world[role])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client
    client = Client()
    if role != "anon":
        client.force_login(world[role])
    return client


@pytest.mark.parametrize(
    ("case", "role"),
    [(c, r) for c in CASES for r in ROLES],
    ids=[
        f"{c.route}{'[' + c.label + ']' if c.label else ''}-{c.method}-{r}"
        for c in CASES
        for r in ROLES
    ],
)
def test_route_answers_each_role_as_the_matrix_says(world, case, role):
    client = _client(world, role, case.api)
    url = reverse(case.route, kwargs=case.kwargs(world))
    if case.query:
        url = f"{url}?{case.query}"
    data = case.data(world)
    send = getattr(client, case.method.lower())
    if case.api and data is not None and not case.multipart:
        response = send(url, data, format="json")
    elif data is not None:
        response = send(url, data)
    else:
        response = send(url)
    expected = case.expect[role]
    if expected == "login":
        assert response.status_code == 302, response.status_code
        assert response.url.startswith(reverse("accounts:login"))
    else:
        body = getattr(response, "content", b"")[:300]
        assert response.status_code == expected, body


def _route_names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _route_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_route_is_in_the_matrix():
    routes = set(_route_names(get_resolver().url_patterns))
    admin = {r for r in routes if r.startswith("admin:")}
    covered = {c.route for c in CASES}
    missing = sorted(routes - admin - covered)
    assert missing == [], f"add these routes to the permission matrix: {missing}"
    assert covered - routes == set(), "the matrix names routes that no longer exist"
