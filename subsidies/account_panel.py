"""A company's money on its user's own account page (issue 12 §6), added to the accounts
app's page through ``accounts.panels`` (accounts sits below subsidies and never imports it)."""

from __future__ import annotations

from typing import Any

from accounts.panels import Panel


def company_money(user: Any) -> Panel | None:
    """The account of the user's own company (``company_of``: never another's); none for
    staff or a user with no company yet."""
    from tenants.selectors import company_of

    from .selectors import company_account

    company = company_of(user) if user.is_company_user else None
    if company is None:
        return None
    return Panel("subsidies/_account_money.html", {"money": company_account(company)})
