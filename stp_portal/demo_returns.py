"""Demo progress returns (domain.md §4a): four quarters that tell the brochure's story.

- Wajid Hussain, a freelancer at a Gilgit desk, grows into a team of five;
- Zarghun Women Tech, a women-led company in Quetta;
- exports rising quarter on quarter across the parks;
- Sariab Soft has not filed its latest returns, so it shows as overdue; while a quarter's
  returns are still due, some companies have not filed them yet;
- Karakoram Code Works amended its latest return (exports received late), so two versions
  show.

Filed through the filing service, on plausible days before each due date. Seeded once: a
second run, on any day, adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from core.calendar import KARACHI, FiscalQuarter
from returns.domain import ReturnFigures
from returns.models import ProgressReturn
from returns.selectors import owed_returns
from returns.services import progress_return_amend, progress_return_file

if TYPE_CHECKING:
    from accounts.models import User

    from .demo import CompanySpec, SeedReport

QUARTERS = 4
NON_FILER = "sariab"  # has filed nothing for its latest two quarters
AMENDER = "karakoram"
STORIES = ("f.wajid", "zarghun")
# Hand-written stories, one figure per quarter, oldest first.
GROWING_FREELANCER: dict[str, tuple[int, int, int, int]] = {
    "employees": (1, 2, 3, 5),
    "employees_women": (0, 1, 1, 2),
    "new_hires": (0, 1, 1, 2),
    "new_hires_women": (0, 1, 0, 1),
    "foreign_clients": (2, 3, 4, 6),
}
GROWING_EXPORTS = ("4000.00", "6500.00", "9000.00", "14000.00")
MARKETS = {
    "Gilgit": "United States, United Kingdom",
    "Quetta": "United Arab Emirates, Saudi Arabia",
    "Islamabad": "United States, Germany, Singapore",
    "Gujranwala": "United States, Canada",
    "Faisalabad": "Germany, United Kingdom, Italy",
    "Jamshoro": "United Arab Emirates, United Kingdom",
    "Sukkur": "United States",
}


def seed_returns(
    report: SeedReport, today: date, specs: dict[str, CompanySpec], owners: dict[str, User]
) -> None:
    if ProgressReturn.objects.exists():
        report.count("progress returns", False)
        return
    latest = FiscalQuarter.of(today).previous()
    by_name = {spec.name: spec for spec in specs.values()}
    owed = (
        owed_returns(today)
        .select_related("company", "park", "quarter")
        .order_by("quarter__first_day", "company__name", "park__code")
    )
    for row in owed:
        quarter = row.quarter.fiscal_quarter
        spec = by_name.get(row.company.name)
        if spec is None:
            continue
        # The story's quarters are 0..3 (the latest four); earlier ones count down from 0.
        index = QUARTERS - 1 - _quarters_between(quarter, latest)
        if spec.slug == NON_FILER and index >= QUARTERS - 2:
            continue
        # A quarter still due: about half the companies have filed it so far (the stories'
        # companies among them).
        story = spec.slug in (*STORIES, AMENDER)
        if today <= quarter.due_date and not story and sum(map(ord, spec.slug)) % 2:
            continue
        filed = progress_return_file(
            user=owners[spec.slug],
            company=row.company,
            park=row.park,
            quarter=quarter,
            figures=_figures(spec, index),
            today=today,
            filed_at=_filed_at(quarter, today, spec.slug),
        )
        report.count("progress returns", True)
        if spec.slug == AMENDER and index == QUARTERS - 1:
            figures = _figures(spec, index)
            later = ReturnFigures(
                **{
                    **figures.as_dict(),
                    "export_earnings_usd": figures.export_earnings_usd + Decimal("12500.00"),
                }
            )
            progress_return_amend(
                user=owners[spec.slug],
                previous=filed,
                reason="A client's payment of USD 12,500 received on 29 September was left out.",
                figures=later,
                filed_at=filed.filed_at + timedelta(days=2),
            )
            report.count("progress returns", True)


def _quarters_between(earlier: FiscalQuarter, later: FiscalQuarter) -> int:
    return (later.start_year - earlier.start_year) * 4 + later.number - earlier.number


def _filed_at(quarter: FiscalQuarter, today: date, slug: str) -> datetime:
    """A day between the quarter's end and its due date (never after ``today``)."""
    day = quarter.last + timedelta(days=2 + sum(map(ord, slug)) % 8)
    day = min(day, quarter.due_date, today)
    return datetime.combine(day, time(11, 30), tzinfo=KARACHI)


def _figures(spec: CompanySpec, index: int) -> ReturnFigures:
    """Figures growing a little each quarter from the profile's headcount and exports."""
    if spec.slug == "f.wajid":
        story = {name: values[index] for name, values in GROWING_FREELANCER.items()}
        return ReturnFigures(
            **story,
            in_park=story["employees"],
            in_park_women=story["employees_women"],
            interns=1 if index >= 2 else 0,
            export_earnings_usd=Decimal(GROWING_EXPORTS[index]),
            domestic_revenue_pkr=Decimal(150_000 * story["employees"]).quantize(Decimal("0.01")),
            export_markets="United States, Netherlands",
        )
    growth = max(Decimal("0.5"), Decimal("0.85") + Decimal("0.05") * index)
    employees = max(1, round(spec.headcount * growth))
    women = min(employees, round(spec.women * growth))
    remote = employees // 6
    in_park = employees - remote
    in_park_women = min(women, in_park, women - min(women, remote // 2))
    previous = max(1, round(spec.headcount * (growth - Decimal("0.05"))))
    hires = max(0, employees - previous) + (1 if employees > 3 else 0)
    exports = (
        Decimal(spec.export_usd) / 4 * max(Decimal("0.4"), Decimal("0.8") + Decimal("0.1") * index)
    )
    return ReturnFigures(
        employees=employees,
        employees_women=women,
        in_park=in_park,
        in_park_women=in_park_women,
        new_hires=hires,
        new_hires_women=min(hires, hires * spec.women // max(spec.headcount, 1) + (index % 2)),
        interns=employees // 10,
        export_earnings_usd=exports.quantize(Decimal("0.01")),
        domestic_revenue_pkr=Decimal(employees * 95_000).quantize(Decimal("0.01")),
        foreign_clients=1 + employees // 8,
        export_markets=MARKETS.get(spec.city, "United States"),
    )
