"""Each role's dashboard: a company's (what it owes, its subsidy window, returns, applications)
and staff's (PSEB: the programme; a manager: their parks). Thin: they read selectors."""

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import User
from parks.selectors import parks_managed_by

OVERDUE_SHOWN = 5  # the longest overdue returns a dashboard lists (the compliance page: all)
RETURNS_SHOWN = 5  # a company's dashboard: the returns to file, earliest due first


def company(request: HttpRequest, user: User) -> HttpResponse:
    """A company user's dashboard (owners and members)."""
    from returns.selectors import owed_returns_visible_to
    from subsidies.selectors import company_account, company_subsidy_windows
    from tenants.selectors import applications_list, company_of, leases_list

    found = company_of(user)
    if found is None:
        return render(request, "dashboards/company.html", {"needs_company": True})
    today = timezone.localdate()
    money = company_account(found, today)
    context: dict[str, Any] = {
        "today": today,
        "company": found,
        # Issue 12 §3: what it owes now and by when, and its subsidy window in each park.
        "money": money,
        "owed_chart": _owed_chart(money),
        "windows": company_subsidy_windows(found, today),
        "applications": applications_list(user)[:10],
        "leases": leases_list(user),
        # §4a: the returns the company owes and has not filed, the earliest due first.
        "returns_to_file": list(
            owed_returns_visible_to(user, today)
            .filter(current__isnull=True)
            .order_by("due_date", "park__code")[:RETURNS_SHOWN]
        ),
    }
    return render(request, "dashboards/company.html", context)


def _owed_chart(money: Any) -> Any:
    """What the company owes, statement by statement, oldest first (None: nothing owed)."""
    from core.charts import Chart, ChartKind, Series
    from core.tables import Kind

    if not money.arrears:
        return None
    return Chart(
        kind=ChartKind.BARS,
        title="What you owe, by statement",
        description="The outstanding amount of each unpaid statement, oldest first, in PKR.",
        labels=tuple(
            f"{row.statement.period:%b %Y} {row.statement.park.code}" for row in money.arrears
        ),
        series=(Series("Outstanding", tuple(row.statement.outstanding for row in money.arrears)),),
        unit=Kind.MONEY,
    )


def staff(request: HttpRequest, user: User) -> HttpResponse:
    """PSEB's dashboard (the programme) and a park manager's (their parks): the report
    selectors' figures and charts (``reports.dashboard``), the applications by status, and
    the progress returns overdue."""
    from core.vocabulary import ApplicationStatus
    from reports.dashboard import staff_dashboard
    from returns.compliance import overdue_returns, overdue_rows
    from tenants.selectors import applications_list

    today = timezone.localdate()
    counts = dict(applications_list(user).order_by().values_list("status").annotate(n=Count("pk")))
    dashboard = staff_dashboard(user, today)
    # §4a: PSEB (every park) and managers (theirs) see the returns overdue.
    overdue = overdue_returns(None if user.is_pseb_staff else parks_managed_by(user), None, today)
    context: dict[str, Any] = {
        "today": today,
        "dashboard": dashboard,
        "cards": dashboard.cards,
        "waiting": dashboard.waiting,
        "queue": [(s, counts.get(s.value, 0)) for s in ApplicationStatus],
        "overdue_count": overdue.count(),
        "overdue_top": overdue_rows(overdue[:OVERDUE_SHOWN], today),
    }
    return render(request, "dashboards/staff.html", context)
