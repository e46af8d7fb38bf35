"""Progress returns (domain.md §4a): the fiscal quarters, the returns each company owes
(derived from lease history by a database view), the versions it files, and the reminders
sent about them."""

from __future__ import annotations

import operator
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.calendar import FiscalQuarter
from core.money import MONEY_FIELD
from core.vocabulary import ReminderKind

from .domain import MARKETS_MAX_LENGTH, PARTS, REASON_MAX_LENGTH, already_filed


class Quarter(models.Model):
    """A quarter of Pakistan's fiscal year (``core.calendar.FiscalQuarter``), one row per
    quarter of the years the programme knows, so the database can join leases to the
    quarters they hold a day of. Written by migration 0001 from ``core.calendar``; read only."""

    start_year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()
    first_day = models.DateField()
    last_day = models.DateField()
    due_date = models.DateField()

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.UniqueConstraint(fields=["start_year", "number"], name="quarter_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=4), name="quarter_number"
            ),
        ]
        indexes = [models.Index(fields=["first_day", "last_day"], name="quarter_days")]

    def __str__(self) -> str:
        return self.label

    @property
    def fiscal_quarter(self) -> FiscalQuarter:
        return FiscalQuarter(self.start_year, self.number)

    @property
    def label(self) -> str:
        return str(self.fiscal_quarter)


class ProgressReturn(models.Model):
    """One filed version of a company's return for a park and quarter (§4a). Never changed
    once written: a correction is a new version that ``amends`` the one before it, with a
    reason. The latest version counts.

    The database keeps one current version per company, park and quarter: one first version
    (``amends`` empty) per slot, and each version amended at most once (``amends`` is
    one-to-one), so the versions form one chain with one head; the version numbers are
    unique within the slot too.
    """

    company = models.ForeignKey(
        "tenants.Company", on_delete=models.PROTECT, related_name="progress_returns"
    )
    park = models.ForeignKey(
        "parks.Park", on_delete=models.PROTECT, related_name="progress_returns"
    )
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField(default=1)
    amends = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendment"
    )
    reason = models.TextField(
        "reason for the amendment", blank=True, default="", max_length=REASON_MAX_LENGTH
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField()

    employees = models.PositiveIntegerField("employees at quarter end")
    employees_women = models.PositiveIntegerField("of whom women")
    in_park = models.PositiveIntegerField("employees working from the park")
    in_park_women = models.PositiveIntegerField("of whom women (in the park)")
    new_hires = models.PositiveIntegerField("new hires in the quarter")
    new_hires_women = models.PositiveIntegerField("of whom women (new hires)")
    interns = models.PositiveIntegerField("interns or trainees")
    export_earnings_usd = models.DecimalField("export earnings received (USD)", **MONEY_FIELD)
    domestic_revenue_pkr = models.DecimalField("domestic revenue (PKR)", **MONEY_FIELD)
    foreign_clients = models.PositiveIntegerField("foreign clients served")
    export_markets = models.CharField(
        "main export markets", max_length=MARKETS_MAX_LENGTH, blank=True, default=""
    )

    class Meta:
        ordering = ["-quarter__first_day", "company_id", "park_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "park", "quarter", "version"], name="return_version_unique"
            ),
            models.UniqueConstraint(
                fields=["company", "park", "quarter"],
                condition=Q(amends__isnull=True),
                name="return_one_first_version",
                violation_error_message=already_filed(),
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True, version=1)
                | Q(amends__isnull=False, version__gt=1),
                name="return_version_follows",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | ~Q(reason=""), name="return_amendment_reason"
            ),
            models.CheckConstraint(
                # returns.domain.PARTS, the rule the services check first (with messages)
                condition=reduce(
                    operator.and_, (Q(**{f"{part}__lte": F(whole)}) for part, whole, _ in PARTS)
                ),
                name="return_parts_within_totals",
            ),
            models.CheckConstraint(
                condition=Q(export_earnings_usd__gte=0, domestic_revenue_pkr__gte=0),
                name="return_money_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["quarter", "park"], name="return_quarter_park")]

    def __str__(self) -> str:
        return f"{self.company} at {self.park.code}, {self.quarter} (version {self.version})"


class OwedReturn(models.Model):
    """A return a company owes (§4a): one row per company, park and quarter in which one of
    its leases there held a day, with the current filed version if any.

    A database view (migration 0002), so the list is always what lease history says: a lease
    recorded or ended, backdated or not, changes it at once. Quarters not yet over are rows
    too; ``returns.selectors`` keeps only those whose quarter ended before the day asked.
    A view reads the lease table: a later migration that changes ``tenants_lease``'s dates
    or ``returns_progressreturn``'s keys drops and recreates it (see 0002).
    """

    key = models.CharField(max_length=64, primary_key=True)
    company = models.ForeignKey("tenants.Company", on_delete=models.DO_NOTHING, related_name="+")
    park = models.ForeignKey("parks.Park", on_delete=models.DO_NOTHING, related_name="+")
    quarter = models.ForeignKey(Quarter, on_delete=models.DO_NOTHING, related_name="+")
    # The quarter's days, copied into the view's rows so a filter on them reaches the join
    # inside it (through ``quarter__`` the database would pair every open lease with every
    # quarter of the calendar first).
    first_day = models.DateField()
    last_day = models.DateField()
    due_date = models.DateField()
    current = models.ForeignKey(
        ProgressReturn, on_delete=models.DO_NOTHING, null=True, related_name="+"
    )

    class Meta:
        managed = False
        db_table = "returns_owedreturn"
        ordering = ["-first_day", "company__name", "park__code"]

    def __str__(self) -> str:
        return f"{self.company} at {self.park.code}, {self.quarter}"


class ReturnReminder(models.Model):
    """A reminder e-mail sent (or being sent) about a return (§4a): at most one per company,
    park, quarter and kind, which the unique constraint makes true when beat runs twice."""

    company = models.ForeignKey("tenants.Company", on_delete=models.CASCADE, related_name="+")
    park = models.ForeignKey("parks.Park", on_delete=models.CASCADE, related_name="+")
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    recipients = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "park", "quarter", "kind"], name="reminder_once_per_kind"
            ),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder: {self.company}, {self.quarter}"
