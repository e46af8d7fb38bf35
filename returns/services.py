"""Writes on progress returns (domain.md §4a): filing a return and amending it.

A filed version is never changed; an amendment is a new version with a reason. Both are
all-or-nothing. The database's constraints (``ProgressReturn``) keep one current version per
company, park and quarter when requests race; the loser is told the state conflicts (409).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.calendar import FiscalQuarter, long_date
from core.permissions import ensure
from stp_portal.errors import Conflict

from .domain import (
    REASON_MAX_LENGTH,
    ReturnFigures,
    already_filed,
    figure_problems,
    is_owed,
    normalise_markets,
)
from .models import OwedReturn, ProgressReturn
from .selectors import quarter_row

if TYPE_CHECKING:
    from accounts.models import User
    from parks.models import Park
    from tenants.models import Company


def _checked(figures: ReturnFigures) -> ReturnFigures:
    """The figures as they will be stored, or every problem at once (400)."""
    if problems := figure_problems(figures):
        raise ValidationError(problems)
    return ReturnFigures(
        **{**figures.as_dict(), "export_markets": normalise_markets(figures.export_markets)}
    )


def _write(version: ProgressReturn, figures: ReturnFigures, already: str) -> ProgressReturn:
    for name, value in figures.as_dict().items():
        setattr(version, name, value)
    try:
        with transaction.atomic():
            version.save(force_insert=True)
    except IntegrityError as exc:  # another request filed this version first
        raise Conflict(already) from exc
    return version


@transaction.atomic
def progress_return_file(
    *,
    user: User,
    company: Company,
    park: Park,
    quarter: FiscalQuarter,
    figures: ReturnFigures,
    today: date | None = None,
    filed_at: datetime | None = None,
) -> ProgressReturn:
    """Files the first version of ``company``'s return for ``park`` and ``quarter`` (§4a).

    Refused (403) to anyone but the company's own users; refused (409) when the return is
    not owed (no lease there in the quarter, or the quarter is not over) or already filed;
    every problem with the figures at once (400). Nothing is saved unless all is well.
    ``today`` and ``filed_at`` are the service's own clock (the demo files its past returns
    on their days); pages and the API never pass them.
    """
    ensure("file_return", user, company)
    today = today or timezone.localdate()
    row = quarter_row(quarter)
    owed = OwedReturn.objects.filter(company_id=company.pk, park_id=park.pk, quarter_id=row.pk)
    if not owed.exists():
        raise Conflict(f"{company} held no lease at {park} in {quarter}: no return is owed.")
    if not is_owed(quarter, today):
        raise Conflict(
            f"{quarter} ends on {long_date(quarter.last)}: its return can be filed from the "
            "day after."
        )
    already = already_filed(f"The return for {quarter} at {park}")
    if ProgressReturn.objects.filter(company=company, park=park, quarter=row).exists():
        raise Conflict(already)
    figures = _checked(figures)
    version = ProgressReturn(
        company=company,
        park=park,
        quarter=row,
        version=1,
        filed_by=user,
        filed_at=filed_at or timezone.now(),
    )
    return _write(version, figures, already)


@transaction.atomic
def progress_return_amend(
    *,
    user: User,
    previous: ProgressReturn,
    reason: str,
    figures: ReturnFigures,
    filed_at: datetime | None = None,
) -> ProgressReturn:
    """Files a new version of a return, correcting ``previous`` (the current version), with a
    reason (§4a). The earlier versions stay as they were."""
    ensure("file_return", user, previous.company)
    problems: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        problems["reason"] = "Say why the return is amended."
    elif len(reason) > REASON_MAX_LENGTH:
        problems["reason"] = f"Write the reason in at most {REASON_MAX_LENGTH:,} characters."
    newer = f"Version {previous.version} has already been amended: amend the latest version."
    if ProgressReturn.objects.filter(amends=previous).exists():
        raise Conflict(newer)
    problems.update(figure_problems(figures))
    if problems:
        raise ValidationError(problems)
    figures = _checked(figures)
    version = ProgressReturn(
        company_id=previous.company_id,
        park_id=previous.park_id,
        quarter_id=previous.quarter_id,
        version=previous.version + 1,
        amends=previous,
        reason=reason,
        filed_by=user,
        filed_at=filed_at or timezone.now(),
    )
    return _write(version, figures, newer)
