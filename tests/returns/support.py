"""What the progress-return tests share: a return's figures, and a company with a lease."""

from datetime import date
from decimal import Decimal

from returns.domain import ReturnFigures
from tests import factories


def figures(**changes) -> ReturnFigures:
    """A plausible return: 12 employees, 5 of them women, 10 in the park (4 women)."""
    values = {
        "employees": 12,
        "employees_women": 5,
        "in_park": 10,
        "in_park_women": 4,
        "new_hires": 3,
        "new_hires_women": 2,
        "interns": 1,
        "export_earnings_usd": Decimal("15000.00"),
        "domestic_revenue_pkr": Decimal("850000.00"),
        "foreign_clients": 4,
        "export_markets": "United States, Germany",
    }
    return ReturnFigures(**{**values, **changes})


def tenant(park, start=date(2026, 3, 15), end=None, user=None):
    """A company user (or ``user``'s company) with a lease of one unit in ``park``."""
    user = user or factories.MembershipFactory().user
    company = user.memberships.get().company
    factories.LeaseFactory(company=company, park=park, start_date=start, end_date=end)
    return user, company
