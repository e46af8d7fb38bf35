"""Billing's part in a lease's life goes through tenants.lifecycle: tenants imports nothing of
subsidies, and what billing does runs in the lease's own transaction (issue 8)."""

import ast
from datetime import date
from pathlib import Path

import pytest

from stp_portal.errors import Conflict
from subsidies.lease_events import Billing
from tenants import lifecycle, services
from tenants.lifecycle import LeaseListener
from tests.factories import CompanyFactory, LeaseFactory, UnitFactory

TENANTS = Path(__file__).resolve().parents[2] / "tenants"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever the import stands (lazily too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_tenants_imports_nothing_of_the_apps_above_it():
    upward = {
        f"{path.relative_to(TENANTS.parent)}: {module}"
        for path in TENANTS.rglob("*.py")
        for module in _imports(path)
        if module.split(".")[0] == "subsidies"
    }
    assert upward == set()


def test_billing_listens_to_the_lease_events_once():
    billing = [listener for listener in lifecycle._listeners if isinstance(listener, Billing)]
    assert len(billing) == 1
    lifecycle.listen(Billing())  # an app's ready() run again
    assert [type(x) for x in lifecycle._listeners].count(Billing) == 1


def test_without_listeners_a_lease_event_does_nothing(monkeypatch):
    monkeypatch.setattr(lifecycle, "_listeners", [])
    lifecycle.check_start(company_id=1, park=None, start_date=date(2026, 1, 1))
    assert lifecycle.lease_ended(user=None, lease=None) == []
    assert lifecycle.credits(lease=None, ids=[1]) == []
    assert lifecycle.billed_through(user=None, lease=None) is None


def test_a_lease_is_billed_through_the_latest_day_any_listener_names(monkeypatch):
    class March(LeaseListener):
        def billed_through(self, *, user, lease):
            return date(2026, 3, 31)

    class April(LeaseListener):
        def billed_through(self, *, user, lease):
            return date(2026, 4, 30)

    monkeypatch.setattr(lifecycle, "_listeners", [March(), LeaseListener(), April()])
    assert lifecycle.billed_through(user=None, lease=None) == date(2026, 4, 30)


@pytest.mark.django_db
def test_a_listener_failing_at_the_end_of_a_lease_rolls_the_termination_back(
    monkeypatch, park, pseb_staff
):
    # given a listener that fails once the lease's end is written
    class Failing(LeaseListener):
        def lease_ended(self, *, user, lease, today=None):
            raise RuntimeError("billing is down")

    monkeypatch.setattr(lifecycle, "_listeners", [*lifecycle._listeners, Failing()])
    lease = LeaseFactory(park=park, start_date=date(2026, 1, 1), end_date=None)
    # when PSEB terminates the lease
    with pytest.raises(RuntimeError):
        services.lease_terminate(user=pseb_staff, lease=lease, end_date=date(2026, 6, 30))
    # then nothing of the termination stays: it was one transaction
    lease.refresh_from_db()
    assert (lease.end_date, lease.terminated_at) == (None, None)
    assert lease.lease_units.get().end_date is None


@pytest.mark.django_db
def test_a_listener_refusing_a_start_refuses_the_lease(monkeypatch, park, pseb_staff):
    class Closed(LeaseListener):
        def check_start(self, *, company_id, park, start_date):
            raise Conflict({"start_date": "Closed for this company."})

    monkeypatch.setattr(lifecycle, "_listeners", [Closed()])
    company, unit = CompanyFactory(), UnitFactory(park=park)
    with pytest.raises(Conflict) as refused:
        services.lease_create(
            company=company,
            park=park,
            units=[unit],
            start_date=date(2030, 1, 1),
            end_date=None,
            created_by=pseb_staff,
        )
    assert refused.value.message_dict == {"start_date": ["Closed for this company."]}
    assert not company.leases.exists()
