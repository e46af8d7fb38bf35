"""The portal's sections, once: the side navigation, the phone menu and the breadcrumbs all
read this list (issue 12 §2).

A section has a label, the URL name of its first page, an icon, who sees it (a predicate on
the user's role, read from the user row the request already holds: no query) and which URLs
belong to it (a predicate on the resolved URL's app and name), so every page of a section —
lists, details, forms — marks its entry as the current one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

# (app_name, url_name) of the page shown; "" when the URL has no namespace or name.
Here = tuple[str, str]
UserTest = Callable[[Any], bool]
HereTest = Callable[[Here], bool]


def _anyone(user: Any) -> bool:
    return True


def _signed_in(user: Any) -> bool:
    return bool(user.is_authenticated)


def _visitor(user: Any) -> bool:
    return not user.is_authenticated


def _company(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_company_user)


def _not_company(user: Any) -> bool:
    return bool(user.is_authenticated and not user.is_company_user)


def _pseb(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_pseb_staff)


def _pseb_or_manager(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_pseb_staff or user.is_park_manager))


def _admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_staff)


COMPANY_PAGES = {"company", "company_create", "company_edit", "company_invite", "invitation_accept"}


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    icon: str
    shown_to: UserTest
    is_current: HereTest

    @property
    def url(self) -> str:
        return reverse(self.url_name)


SECTIONS: tuple[Section, ...] = (
    Section(
        "Parks",
        "parks:list",
        "map-pin",
        _anyone,
        lambda h: h[0] == "parks" and h[1] in ("list", "detail"),
    ),
    Section(
        "Dashboard", "dashboard", "layout-dashboard", _signed_in, lambda h: h == ("", "dashboard")
    ),
    Section(
        "Applications",
        "tenants:application_list",
        "clipboard-list",
        _signed_in,
        lambda h: h[0] == "tenants" and ("application" in h[1] or "document" in h[1]),
    ),
    Section(
        "Leases",
        "tenants:lease_list",
        "file-text",
        _signed_in,
        lambda h: (h[0] == "tenants" and "lease" in h[1]) or h == ("subsidies", "lease_charges"),
    ),
    # A company's money: its balance, arrears, where to pay and its receipts (issue 12 §6).
    Section(
        "Account", "accounts:account", "cash", _company, lambda h: h == ("accounts", "account")
    ),
    Section(
        "Company",
        "tenants:company",
        "building",
        _company,
        lambda h: h[0] == "tenants" and h[1] in COMPANY_PAGES,
    ),
    Section(
        "My parks",
        "parks:managed",
        "building-community",
        _not_company,
        lambda h: h[0] == "parks" and h[1] not in ("list", "detail"),
    ),
    Section("Returns", "returns:list", "file-report", _signed_in, lambda h: h[0] == "returns"),
    Section(
        "Statements",
        "subsidies:statement_list",
        "receipt",
        _signed_in,
        lambda h: h[0] == "subsidies" and "statement" in h[1] and h[1] != "statement_verify",
    ),
    Section(
        "Payments",
        "subsidies:payment_list",
        "coin",
        _signed_in,
        lambda h: h[0] == "subsidies" and ("payment" in h[1] or "receipt" in h[1]),
    ),
    Section(
        "Billing",
        "subsidies:billing_run_list",
        "cash",
        _pseb,
        lambda h: h[0] == "subsidies" and "billing_run" in h[1],
    ),
    Section(
        "Schemes",
        "subsidies:scheme_list",
        "discount",
        _pseb_or_manager,
        lambda h: h[0] == "subsidies" and "scheme" in h[1],
    ),
    Section(
        "Reports", "reports:overview", "chart-bar", _pseb_or_manager, lambda h: h[0] == "reports"
    ),
    Section("Audit", "audit:changes", "shield-check", _pseb, lambda h: h[0] == "audit"),
    # The stock admin is another product: never "the current section" of a portal page.
    Section("Admin", "admin:index", "settings", _admin, lambda h: False),
    Section(
        "Sign up",
        "accounts:signup",
        "user-plus",
        _visitor,
        lambda h: h == ("accounts", "signup"),
    ),
)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    icon: str
    current: bool


@dataclass(frozen=True)
class Navigation:
    """What the layout draws for one request: the user's sections and the breadcrumbs' trail
    (Home, then the current section unless this is its first page)."""

    links: tuple[Link, ...]
    section: Link | None
    home_url: str
    at_home: bool
    section_index: bool


def here_of(request: Any) -> Here:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ("", "")
    return (match.app_name or "", match.url_name or "")


def navigation_for(user: Any, here: Here, path: str = "") -> Navigation:
    links = tuple(
        Link(s.label, s.url, s.icon, s.is_current(here)) for s in SECTIONS if s.shown_to(user)
    )
    section = next((link for link in links if link.current), None)
    home_url = reverse("home")
    return Navigation(
        links=links,
        section=section,
        home_url=home_url,
        at_home=path == home_url,
        section_index=section is not None and path == section.url,
    )


def navigation(request: Any) -> dict[str, Any]:
    """Context processor: ``nav`` for base.html, computed only when a template reads it."""
    # A request refused before the authentication middleware ran (a body over the size limit:
    # 413) has no user yet: its error page gets a visitor's navigation.
    return {
        "nav": SimpleLazyObject(
            lambda: navigation_for(
                getattr(request, "user", None) or AnonymousUser(), here_of(request), request.path
            )
        )
    }
