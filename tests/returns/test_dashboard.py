"""A company's dashboard lists the returns it owes and has not filed (§4a)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import FiscalQuarter
from returns.services import progress_return_file
from tests.returns.support import figures, tenant

pytestmark = pytest.mark.django_db


def test_the_dashboard_lists_the_returns_to_file_and_not_the_filed_ones(client, park):
    user, company = tenant(park, start=date(2025, 7, 1))
    today = timezone.localdate()
    latest = FiscalQuarter.of(today).previous()
    progress_return_file(
        user=user, company=company, park=park, quarter=latest, figures=figures(), today=today
    )
    client.force_login(user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Progress returns to file" in page
    assert f"{latest.previous()} at {park.name}" in page
    assert f"{latest} at {park.name}" not in page  # filed


def test_nothing_to_file_shows_no_returns_section(client, company_user):
    client.force_login(company_user)
    assert "Progress returns to file" not in client.get(reverse("dashboard")).content.decode()
