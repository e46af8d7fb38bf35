"""Every programme report by its name in URLs and the API (api.md "reports/<name>/")."""

from __future__ import annotations

from .frame import ReportSpec
from .selectors import (
    collections,
    demand,
    impact,
    liability,
    occupancy,
    pipeline,
    subsidy_given,
)

REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        ReportSpec(
            "occupancy",
            "Occupancy",
            "How full the parks are on the as-of date, by leasable area, units and seats, and "
            "at the end of each of the last 12 months.",
            occupancy.occupancy_report,
            months=True,
        ),
        ReportSpec(
            "subsidy-given",
            "Subsidy given",
            "The subsidy on the statements of each billing period, less what credit notes on "
            "them reversed, per park and month and per fiscal year.",
            subsidy_given.subsidy_given_report,
            periods=True,
        ),
        ReportSpec(
            "subsidy-liability",
            "Subsidy liability",
            "The subsidy billing will give from the as-of month on for the leases recorded "
            "today, projected by the billing calculation itself: the programme's budget figure.",
            liability.subsidy_liability_report,
        ),
        ReportSpec(
            "collections",
            "Collections",
            "What was billed (net of credit notes) and received, what is still owed per "
            "statement, how long it is overdue, and who owes most.",
            collections.collections_report,
            periods=True,
        ),
        ReportSpec(
            "pipeline",
            "Pipeline",
            "Applications per park and status, the median and 90th-percentile days from "
            "submission to decision, and who is waiting.",
            pipeline.pipeline_report,
            periods=True,
        ),
        ReportSpec(
            "impact",
            "Jobs and impact",
            "What the tenants' quarterly progress returns say: jobs in the parks and women's "
            "share, new hires, exports and domestic revenue, jobs since joining, and who has "
            "filed, per park, city, province and tier.",
            impact.impact_report,
            quarters=True,
        ),
        ReportSpec(
            "demand",
            "Demand by city",
            "Registered IT companies per city beside its parks, seats, tenants and waiting "
            "applications: where the next parks are needed.",
            demand.demand_report,
        ),
    )
}
