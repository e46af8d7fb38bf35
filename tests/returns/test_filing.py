"""Filing and amending a return (§4a): all-or-nothing, never edited, one current version."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core.calendar import FiscalQuarter
from returns.domain import PARTS, REASON_MAX_LENGTH, already_filed, figure_problems
from returns.models import ProgressReturn
from returns.selectors import current_returns, owed_returns, versions_of
from returns.services import progress_return_amend, progress_return_file
from stp_portal.errors import Conflict
from tests.factories import MembershipFactory
from tests.returns.support import figures, tenant

pytestmark = pytest.mark.django_db
Q1 = FiscalQuarter.parse("2026-27 Q1")
TODAY = date(2026, 10, 5)


def _file(user, company, park, quarter=Q1, today=TODAY, **changes):
    return progress_return_file(
        user=user,
        company=company,
        park=park,
        quarter=quarter,
        figures=figures(**changes),
        today=today,
    )


def test_an_owner_files_a_return_and_it_counts(park):
    user, company = tenant(park, start=date(2026, 7, 1))
    filed = _file(user, company, park, export_markets="USA, usa, Germany")
    assert (filed.version, filed.employees, filed.export_markets) == (1, 12, "USA, Germany")
    owed = owed_returns(TODAY).get(company=company)
    assert (owed.current_id, owed.status) == (filed.pk, "filed")


def test_filing_twice_is_a_conflict_and_changes_nothing(park):
    user, company = tenant(park, start=date(2026, 7, 1))
    _file(user, company, park)
    with pytest.raises(Conflict, match="already been filed"):
        _file(user, company, park, employees=30)
    assert ProgressReturn.objects.get().employees == 12


def test_bad_figures_name_every_problem_and_save_nothing(park):
    user, company = tenant(park, start=date(2026, 7, 1))
    with pytest.raises(ValidationError) as caught:
        _file(user, company, park, employees_women=20, interns=-2)
    assert set(caught.value.message_dict) == {"employees_women", "interns"}
    assert not ProgressReturn.objects.exists()


def test_a_quarter_not_over_or_not_held_is_not_owed(park, other_park):
    user, company = tenant(park, start=date(2026, 7, 1))
    with pytest.raises(Conflict, match="can be filed from"):
        _file(user, company, park, quarter=FiscalQuarter.parse("2026-27 Q2"))
    with pytest.raises(Conflict, match="no return is owed"):
        _file(user, company, other_park)
    with pytest.raises(Conflict, match="no return is owed"):
        _file(user, company, park, quarter=FiscalQuarter.parse("2025-26 Q4"))
    assert not ProgressReturn.objects.exists()


def test_only_the_companys_own_users_file(park, pseb_staff, park_manager, other_company_user):
    _, company = tenant(park, start=date(2026, 7, 1))
    for someone in (pseb_staff, park_manager, other_company_user):
        with pytest.raises(PermissionDenied):
            _file(someone, company, park)
    assert not ProgressReturn.objects.exists()


def test_a_member_files_too(park):
    _, company = tenant(park, start=date(2026, 7, 1))
    member = MembershipFactory(company=company, role="member").user
    assert _file(member, company, park).filed_by == member


def test_an_amendment_is_a_new_version_and_the_latest_counts(park):
    user, company = tenant(park, start=date(2026, 7, 1))
    first = _file(user, company, park)
    second = progress_return_amend(
        user=user, previous=first, reason="Two hires counted twice", figures=figures(employees=10)
    )
    third = progress_return_amend(
        user=user,
        previous=second,
        reason="Exports received late",
        figures=figures(employees=10, export_earnings_usd=Decimal("18000.00")),
    )
    first.refresh_from_db()
    assert first.employees == 12  # never edited
    assert [v.version for v in versions_of(third)] == [3, 2, 1]
    assert list(current_returns()) == [third]
    assert owed_returns(TODAY).get().current_id == third.pk


def test_amending_an_old_version_or_without_a_reason_is_refused(park):
    user, company = tenant(park, start=date(2026, 7, 1))
    first = _file(user, company, park)
    with pytest.raises(ValidationError) as caught:
        progress_return_amend(user=user, previous=first, reason=" ", figures=figures(interns=-1))
    assert set(caught.value.message_dict) == {"reason", "interns"}
    progress_return_amend(user=user, previous=first, reason="Fix", figures=figures())
    with pytest.raises(Conflict, match="amend the latest"):
        progress_return_amend(user=user, previous=first, reason="Again", figures=figures())
    assert ProgressReturn.objects.count() == 2


def test_the_reason_has_one_limit_in_the_service_the_model_and_the_api(park, client):
    user, company = tenant(park, start=date(2026, 7, 1))
    first = _file(user, company, park)
    with pytest.raises(ValidationError) as caught:
        progress_return_amend(
            user=user, previous=first, reason="x" * (REASON_MAX_LENGTH + 1), figures=figures()
        )
    assert caught.value.message_dict == {
        "reason": [f"Write the reason in at most {REASON_MAX_LENGTH:,} characters."]
    }
    longest = progress_return_amend(
        user=user, previous=first, reason="x" * REASON_MAX_LENGTH, figures=figures()
    )
    longest.full_clean()  # the model's own limit lets it through
    assert ProgressReturn._meta.get_field("reason").max_length == REASON_MAX_LENGTH
    schema = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert (
        f"at most {REASON_MAX_LENGTH:,} characters"
        in (schema["ReturnAmend"]["properties"]["reason"]["description"])
    )


def test_filing_twice_says_so_in_the_one_wording_of_the_rule(park):
    user, company = tenant(park, start=date(2026, 7, 1))
    _file(user, company, park)
    with pytest.raises(Conflict) as caught:
        _file(user, company, park)
    assert caught.value.messages == [already_filed(f"The return for {Q1} at {park}")]
    constraint = next(
        c for c in ProgressReturn._meta.constraints if c.name == "return_one_first_version"
    )
    assert constraint.violation_error_message == already_filed()


def _breaking_only(part: str, whole: str) -> dict[str, int]:
    """Counts where ``part`` exceeds ``whole`` and every other pair of PARTS holds."""
    values = dict.fromkeys({name for pair in PARTS for name in pair[:2]}, 0)
    values[part] = 1
    changed = True
    while changed:
        changed = False
        for other_part, other_whole, _ in PARTS:
            if (other_part, other_whole) != (part, whole) and values[other_part] > values[
                other_whole
            ]:
                values[other_whole] = values[other_part]
                changed = True
    assert values[part] > values[whole]
    return values


@pytest.mark.parametrize(("part", "whole", "message"), PARTS)
def test_the_database_refuses_each_part_over_its_whole_as_the_rules_do(park, part, whole, message):
    user, company = tenant(park, start=date(2026, 7, 1))
    filed = _file(user, company, park)
    values = _breaking_only(part, whole)
    assert figure_problems(figures(**values)) == {part: message}
    with pytest.raises(IntegrityError, match="return_parts_within_totals"), transaction.atomic():
        ProgressReturn.objects.filter(pk=filed.pk).update(**values)
