"""The page inventory the browser harness walks: for each role, its main pages by URL name.

One list, read by tests/browser/test_pages.py (screenshots, overflow, axe at each width) and
test_navigation.py (who signs in as whom). Objects are picked from the demo data
(``stp_portal.demo.seed_demo``) by query, through the same scoping selectors the pages use,
so a page is only listed for a role that may open it, and the inventory follows the demo
when it changes instead of hard-coding ids.

A page whose object the demo does not hold for that role is an error of the inventory, not
a page to skip: ``resolve`` says which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from core.vocabulary import ApplicationStatus, ParkStatus
from parks.selectors import parks_managed_by, parks_visible_to
from returns.selectors import owed_returns_visible_to
from stp_portal.demo import DEMO_PASSWORD
from subsidies.selectors import (
    billing_runs_visible_to,
    receipts_visible_to,
    statements_visible_to,
)
from tenants.selectors import (
    applications_visible_to,
    companies_visible_to,
    leases_visible_to,
)

WIDTHS = (390, 768, 1366)
PASSWORD = DEMO_PASSWORD

# A picker answers the reverse() arguments of its page for the signed-in user (None when the
# demo holds no such object for them). ``Kwargs`` is what reverse() takes.
Kwargs = dict[str, Any]
Picker = Callable[[Any], Kwargs | None]


def _first(queryset) -> Any:
    return queryset.first()


def _pk(obj: Any) -> Kwargs | None:
    return None if obj is None else {"pk": obj.pk}


def an_open_park(user) -> Kwargs | None:
    """An open park: units, vacancies and tenants to show (upcoming ones have none)."""
    park = _first(parks_visible_to(user).filter(status=ParkStatus.EXISTING).order_by("code"))
    return None if park is None else {"code": park.code}


def a_managed_park(user) -> Kwargs | None:
    park = _first(parks_managed_by(user).order_by("code"))
    return None if park is None else {"code": park.code}


def an_application(user) -> Kwargs | None:
    """One waiting for a decision where the role sees one (the reviewer's daily page), else
    the latest the role may see."""
    visible = applications_visible_to(user)
    waiting = visible.filter(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
    )
    return _pk(_first(waiting.order_by("pk")) or _first(visible.order_by("-pk")))


def an_application_under_review(user) -> Kwargs | None:
    visible = applications_visible_to(user).filter(status=ApplicationStatus.UNDER_REVIEW)
    return _pk(_first(visible.order_by("pk")))


def a_lease(user) -> Kwargs | None:
    """The latest lease the role sees."""
    return _pk(_first(leases_visible_to(user).order_by("-start_date", "pk")))


def a_statement(user) -> Kwargs | None:
    """The latest statement: lines, subsidy and payments as the company last saw them."""
    return _pk(_first(statements_visible_to(user).order_by("-period", "-pk")))


def a_billing_run(user) -> Kwargs | None:
    return _pk(_first(billing_runs_visible_to(user).order_by("-period", "-pk")))


def a_receipt(user) -> Kwargs | None:
    """The latest receipt the role sees (the demo allocates one payment across statements)."""
    return _pk(_first(receipts_visible_to(user).order_by("-issue_date", "-pk")))


def a_company(user) -> Kwargs | None:
    """The company page staff open from a lease or an application: one with a lease."""
    visible = companies_visible_to(user).filter(leases__isnull=False).distinct()
    return _pk(_first(visible.order_by("name")))


def _latest_return(user):
    return _first(owed_returns_visible_to(user).order_by("-last_day", "company__name", "park"))


def a_return(user) -> Kwargs | None:
    owed = _latest_return(user)
    return None if owed is None else {"key": owed.key}


def a_filed_return(user) -> Kwargs | None:
    """The latest return the company filed: its amendment form (the demo's companies have
    filed every return they owe, so the filing form is the amendment's)."""
    filed = owed_returns_visible_to(user).filter(current__isnull=False)
    owed = _first(filed.order_by("-last_day", "park"))
    return None if owed is None else {"key": owed.key}


@dataclass(frozen=True)
class Page:
    """One page of the inventory: ``key`` names its screenshots (``<role>/<key>-<width>.png``)."""

    key: str
    url_name: str
    pick: Picker | None = None


@dataclass(frozen=True)
class Role:
    key: str
    username: str | None
    pages: tuple[Page, ...] = field(default_factory=tuple)

    @property
    def signed_in(self) -> bool:
        return self.username is not None


HOME = Page("home", "home")
DIRECTORY = Page("directory", "parks:list")
PARK = Page("park", "parks:detail", an_open_park)
DASHBOARD = Page("dashboard", "dashboard")
APPLICATIONS = Page("applications", "tenants:application_list")
APPLICATION = Page("application", "tenants:application_detail", an_application)
LEASES = Page("leases", "tenants:lease_list")
LEASE = Page("lease", "tenants:lease_detail", a_lease)
STATEMENTS = Page("statements", "subsidies:statement_list")
STATEMENT = Page("statement", "subsidies:statement_detail", a_statement)
SCHEMES = Page("schemes", "subsidies:scheme_list")
RETURNS = Page("returns", "returns:list")
RETURN = Page("return", "returns:detail", a_return)
RETURN_FORM = Page("return-form", "returns:amend", a_filed_return)
COMPLIANCE = Page("compliance", "compliance:table")
REPORTS = Page("reports", "reports:overview")
REPORT_OCCUPANCY = Page("report-occupancy", "reports:report", lambda user: {"name": "occupancy"})
REPORT_COLLECTIONS = Page(
    "report-collections", "reports:report", lambda user: {"name": "collections"}
)
ACCOUNT = Page("account", "accounts:account")
PAYMENTS = Page("payments", "subsidies:payment_list")
PAYMENT_RECEIVE = Page("payment-receive", "subsidies:payment_receive")
RECEIPT = Page("receipt", "subsidies:receipt_detail", a_receipt)

ROLES: tuple[Role, ...] = (
    Role(
        "public",
        None,
        (
            HOME,
            DIRECTORY,
            PARK,
            Page("sign-in", "accounts:login"),
            Page("sign-up", "accounts:signup"),
        ),
    ),
    Role(
        "pseb",
        "pseb",
        (
            DASHBOARD,
            HOME,
            DIRECTORY,
            PARK,
            APPLICATIONS,
            APPLICATION,
            Page("approve", "tenants:application_approve", an_application_under_review),
            LEASES,
            LEASE,
            STATEMENTS,
            STATEMENT,
            Page("billing-runs", "subsidies:billing_run_list"),
            Page("billing-run", "subsidies:billing_run_detail", a_billing_run),
            Page("billing-preview", "subsidies:billing_run_preview"),
            PAYMENTS,
            PAYMENT_RECEIVE,
            RECEIPT,
            Page("payment-instructions", "subsidies:payment_instruction_list"),
            Page("park-new", "parks:create"),
            Page("park-edit", "parks:edit", an_open_park),
            Page("park-managers", "parks:managers", an_open_park),
            SCHEMES,
            RETURNS,
            RETURN,
            COMPLIANCE,
            REPORTS,
            REPORT_OCCUPANCY,
            REPORT_COLLECTIONS,
            Page("audit", "audit:changes"),
            Page("company", "tenants:company_detail", a_company),
            ACCOUNT,
        ),
    ),
    Role(
        "manager",
        "manager.gilgit",
        (
            DASHBOARD,
            Page("my-parks", "parks:managed"),
            Page("units", "parks:units", a_managed_park),
            Page("occupancy", "parks:occupancy", a_managed_park),
            PAYMENTS,
            PAYMENT_RECEIVE,
            RECEIPT,
            APPLICATIONS,
            APPLICATION,
            LEASES,
            LEASE,
            STATEMENTS,
            STATEMENT,
            SCHEMES,
            RETURNS,
            RETURN,
            COMPLIANCE,
            REPORTS,
            REPORT_OCCUPANCY,
            REPORT_COLLECTIONS,
            Page("company", "tenants:company_detail", a_company),
            ACCOUNT,
        ),
    ),
    Role(
        "owner",
        "owner.karakoram",
        (
            DASHBOARD,
            Page("company", "tenants:company"),
            APPLICATIONS,
            Page("application-new", "tenants:application_create"),
            LEASES,
            LEASE,
            STATEMENTS,
            STATEMENT,
            RETURNS,
            RETURN,
            RETURN_FORM,
            PAYMENTS,
            RECEIPT,
            ACCOUNT,
        ),
    ),
    Role(
        "freelancer",
        "freelancer.ayesha",
        (
            DASHBOARD,
            Page("company", "tenants:company"),
            APPLICATIONS,
            APPLICATION,
            LEASES,
            LEASE,
            STATEMENTS,
            STATEMENT,
            RETURNS,
            RETURN,
            RETURN_FORM,
            DIRECTORY,
            ACCOUNT,
        ),
    ),
)
ROLE_BY_KEY = {role.key: role for role in ROLES}


class InventoryError(AssertionError):
    """The demo holds no object for a page the inventory lists for a role."""


def user_of(role: Role):
    if role.username is None:
        return AnonymousUser()
    return get_user_model().objects.get(username=role.username)


def resolve(role: Role) -> list[tuple[str, str]]:
    """The role's pages as (key, path), objects picked now from the seeded demo."""
    user = user_of(role)
    paths = []
    for page in role.pages:
        kwargs = page.pick(user) if page.pick else {}
        if kwargs is None:
            raise InventoryError(
                f"the demo holds no object for {page.key!r} ({page.url_name}) as {role.key}"
            )
        paths.append((page.key, reverse(page.url_name, kwargs=kwargs)))
    return paths
