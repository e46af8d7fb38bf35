import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.urls import reverse

from core.money import MONEY_FIELD
from core.vocabulary import LineKind, PaymentReference, RunStatus, WindowAnchor
from stp_portal.validators import validate_programme_date

from . import calculation as calc


class SubsidyScheme(models.Model):
    """A subsidy scheme (domain.md §5): changeable by PSEB without a code change.

    The default programme: 100% of internet and 25% of rent for the first 12 months.
    """

    # What may still change once the scheme opened a subsidy window: everything else decided
    # the amounts of statements issued under it (services.scheme_update; the scheme form).
    EDITABLE_ONCE_APPLIED = frozenset({"name", "valid_to"})

    name = models.CharField(max_length=200, unique=True)
    internet_pct = models.DecimalField(
        "internet subsidy (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    rent_pct = models.DecimalField(
        "rent subsidy (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    duration_months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    valid_from = models.DateField(validators=[validate_programme_date])
    valid_to = models.DateField(
        null=True,
        blank=True,
        help_text="Leave blank for open-ended.",
        validators=[validate_programme_date],
    )
    parks = models.ManyToManyField(
        "parks.Park",
        blank=True,
        related_name="subsidy_schemes",
        help_text="Parks this scheme covers; none selected means all parks.",
    )
    anchor = models.CharField(
        "window anchor",
        max_length=20,
        choices=WindowAnchor.choices,
        default=WindowAnchor.LEASE_START,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-valid_from", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(internet_pct__gte=0, internet_pct__lte=100),
                name="scheme_internet_pct_range",
            ),
            models.CheckConstraint(
                condition=Q(rent_pct__gte=0, rent_pct__lte=100), name="scheme_rent_pct_range"
            ),
            models.CheckConstraint(
                condition=Q(duration_months__gte=1, duration_months__lte=120),
                name="scheme_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="scheme_valid_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(anchor__in=WindowAnchor.values), name="scheme_anchor_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SubsidyWindow(models.Model):
    """A company's subsidy window in a park, fixed when first billed (domain.md §5).

    The window's scheme, start and end are decided once, from the first lease in the park
    and the schemes valid on the window's start; a later scheme, a backdated one, or a change
    of the park's opening date never moves a window already open (grandfathering).
    """

    company = models.ForeignKey(
        "tenants.Company", on_delete=models.PROTECT, related_name="subsidy_windows"
    )
    park = models.ForeignKey("parks.Park", on_delete=models.PROTECT, related_name="+")
    scheme = models.ForeignKey(SubsidyScheme, on_delete=models.PROTECT, related_name="windows")
    start = models.DateField()
    end = models.DateField("end (exclusive)")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["park", "company"]
        constraints = [
            models.UniqueConstraint(fields=["company", "park"], name="one_window_per_company_park"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="window_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} at {self.park_id}: {self.start} to {self.end} ({self.scheme_id})"


# --- Billing (domain.md §6) --------------------------------------------------------------------
MONEY = MONEY_FIELD


def positive_amount(name: str) -> models.CheckConstraint:
    """An amount someone entered is more than 0.00: subsidies.amounts, in the database."""
    return models.CheckConstraint(condition=Q(amount__gt=0), name=name)


def entered_by() -> models.ForeignKey:
    """Who entered a charge, a payment or a credit note (kept: never deleted)."""
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class BillingRun(models.Model):
    """One request to bill a month, for every park or one; records its progress and errors.

    Many runs of one month may exist (a re-run adds only what is missing); statements are
    unique per company, park and month whatever the runs do.
    """

    period = models.DateField(help_text="The first day of the month billed.")
    park = models.ForeignKey(
        "parks.Park", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Company-park pairs to bill.")
    done = models.PositiveIntegerField(default=0, help_text="Pairs billed or already billed.")
    issued = models.PositiveIntegerField(default=0, help_text="Statements this run issued.")
    errors = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="When the run last moved: planned, a chunk, resumed."
    )
    resumed = models.PositiveIntegerField(
        default=0, help_text="Times the run was found stalled and sent to the worker again."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period__day=1), name="billing_run_period_first"),
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="billing_run_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        where = self.park.code if self.park is not None else "all parks"
        return f"Billing run #{self.pk}: {self.period:%Y-%m}, {where}"


class BillingChunk(models.Model):
    """A slice of a run: some companies of one park, billed in one transaction by one task.

    ``finished_at`` is set in the same transaction as the chunk's statements, so a task run
    twice (a retry, a redelivery after a worker died) bills and counts the chunk once.
    """

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="chunks")
    park = models.ForeignKey("parks.Park", on_delete=models.PROTECT, related_name="+")
    company_ids = models.JSONField()
    size = models.PositiveIntegerField()
    issued = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "pk"]

    def __str__(self) -> str:
        return f"Chunk #{self.pk} of run #{self.run_id}: {self.size} companies"


class DocumentCounter(models.Model):
    """The last number used per park, fiscal year and series: gapless numbering (§6).

    A row, not a database sequence: it is locked and moved in the same transaction as the
    documents it numbers, so a rolled-back transaction leaves no gap.
    """

    class Series(models.TextChoices):
        STATEMENT = "statement", "Statement"
        CREDIT_NOTE = "credit_note", "Credit note"
        RECEIPT = "receipt", "Receipt"

    park = models.ForeignKey("parks.Park", on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.CharField(max_length=7, help_text="e.g. 2026-27")
    series = models.CharField(max_length=12, choices=Series.choices)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["park", "fiscal_year", "series"], name="one_counter_per_series"
            )
        ]

    def __str__(self) -> str:
        return f"{self.park_id} {self.fiscal_year} {self.series}: {self.last_number}"


def statement_pdf_path(instance: "Statement", filename: str) -> str:
    return f"private/statements/{instance.park_id}/{instance.number}-{uuid.uuid4().hex[:8]}.pdf"


class Statement(models.Model):
    """A company's monthly statement for one park (§6). Immutable once issued.

    Payments and credit notes refer to it; their sums are stored on it (``amount_paid``,
    ``amount_credited``, ``outstanding``) and its status is derived from those and the due
    date (``selectors.statement_status``).
    The PDF is rendered once, right after issue, and never replaced.
    """

    number = models.CharField(max_length=40, unique=True)
    company = models.ForeignKey(
        "tenants.Company", on_delete=models.PROTECT, related_name="statements"
    )
    park = models.ForeignKey("parks.Park", on_delete=models.PROTECT, related_name="statements")
    period = models.DateField(help_text="The first day of the month billed.")
    issue_date = models.DateField()
    due_date = models.DateField()
    scheme = models.ForeignKey(
        SubsidyScheme, on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField("window end (exclusive)", null=True, blank=True)
    gross = models.DecimalField(**MONEY)
    subsidy_total = models.DecimalField(**MONEY)
    net_payable = models.DecimalField(**MONEY)
    # The balance, stored (issue 9): the sums of the statement's payments and credit notes,
    # moved in the same transaction as each one (services.corrections, under the statement's
    # lock) and proved against them by ``manage.py check_balances``. What is still owed is
    # stated once, here, in the database; rounded because SQLite does this sum in floats.
    amount_paid = models.DecimalField("paid", **MONEY, default=Decimal("0.00"))
    amount_credited = models.DecimalField("credited", **MONEY, default=Decimal("0.00"))
    outstanding = models.GeneratedField(
        expression=Round(F("net_payable") - F("amount_credited") - F("amount_paid"), 2),
        output_field=models.DecimalField(**MONEY),
        db_persist=True,
    )
    billing_run = models.ForeignKey(
        BillingRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="statements"
    )
    supplements = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplementary_statements",
        help_text="For a supplementary statement: the month's statement it adds to.",
    )
    verification_token = models.CharField(max_length=64, unique=True)
    pdf = models.FileField(upload_to=statement_pdf_path, max_length=255, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "park", "period"],
                condition=Q(supplements__isnull=True),
                name="one_statement_per_company_park_month",
                violation_error_message="This company already has a statement for this park "
                "and month.",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="statement_period_first"),
            models.CheckConstraint(condition=Q(gross__gte=0), name="statement_gross_not_negative"),
            models.CheckConstraint(
                condition=Q(subsidy_total__lte=0), name="statement_subsidy_not_positive"
            ),
            models.CheckConstraint(
                condition=Q(net_payable__gte=0), name="statement_net_not_negative"
            ),
            models.CheckConstraint(
                # Rounded: SQLite adds these as floats (PostgreSQL's numeric is exact anyway).
                condition=Q(net_payable=Round(F("gross") + F("subsidy_total"), 2)),
                name="statement_net_is_gross_less_subsidy",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")), name="statement_due_after_issue"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0), name="statement_paid_not_negative"
            ),
            # Not paid + credited <= net: a termination dated back into a month already paid
            # credits it too, and the statement then shows what is owed back (outstanding < 0).
            models.CheckConstraint(
                condition=Q(amount_credited__gte=0, amount_credited__lte=F("net_payable")),
                name="statement_credited_within_net",
            ),
        ]
        indexes = [
            models.Index(fields=["park", "period"]),
            # The list's order (selectors.statements_list), for PSEB's list of all statements
            # and for a company's (scoped by company).
            models.Index(fields=["-period", "number"], name="statement_period_number"),
            models.Index(fields=["company", "-period", "number"], name="statement_company_period"),
            # What is owed, by due date: ``overdue`` (and ``issued``/``partially_paid``, due
            # later) read a small part of the table instead of all of it.
            models.Index(
                fields=["due_date"], condition=Q(outstanding__gt=0), name="statement_owed_due"
            ),
            # The collections report's reading of what is owed (reports.selectors.
            # collections): per park and company by due date, read from the index alone on
            # PostgreSQL (SQLite keeps the keys and the condition, without the included).
            models.Index(
                fields=["park", "company", "due_date"],
                include=["outstanding", "issue_date"],
                condition=Q(outstanding__gt=0),
                name="statement_owed_cover",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def window_last_day(self) -> date | None:
        """The last subsidised day of the window applied (its end is exclusive)."""
        if self.scheme_id is None or self.window_end is None:
            return None
        return self.window_end - timedelta(days=1)

    @property
    def verification_url(self) -> str:
        """The public page the PDF's QR code opens (number, company, period and net only)."""
        path = reverse("subsidies:statement_verify", kwargs={"token": self.verification_token})
        return f"{settings.SITE_URL}{path}"


class DocumentLine(models.Model):
    """A line of an issued document, a statement or a credit note (§6, §7.2): what it bills
    or credits for one let of a lease (``lease_unit``) or one other charge (``charge``);
    written with its document and never changed."""

    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    unit_code = models.CharField(max_length=20, blank=True, default="")
    lease_unit = models.ForeignKey(
        "tenants.LeaseUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    charge = models.ForeignKey(
        "subsidies.Charge", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=300)
    amount = models.DecimalField(**MONEY)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"

    @classmethod
    def of(cls, line: calc.Line, position: int, **document: Any) -> Self:
        """The stored line of a computed one (``subsidies.calculation.Line``), at its
        position in ``document`` (``statement=`` or ``credit_note=``)."""
        return cls(
            position=position,
            kind=line.kind,
            unit_code=line.unit_code,
            lease_unit_id=line.lease_unit_id,
            charge_id=line.charge_id,
            description=line.description[:300],
            amount=line.amount,
            **document,
        )


class StatementLine(DocumentLine):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="line_position_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=LineKind.values), name="statement_line_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["rent_subsidy", "internet_subsidy"], amount__lte=0)
                    | Q(kind__in=["rent", "internet", "charge"], amount__gte=0)
                ),
                name="statement_line_sign",
            ),
        ]


class Charge(models.Model):
    """An other charge (power backup, parking, damages…) a park manager records for a lease
    and month before it is billed; never subsidised (§5 rule 5)."""

    lease = models.ForeignKey("tenants.Lease", on_delete=models.PROTECT, related_name="charges")
    period = models.DateField(help_text="The first day of the month it belongs to.")
    description = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY)
    created_by = entered_by()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "pk"]
        # The lists' order (-period, then pk either way): read backwards for the API's.
        indexes = [models.Index(fields=["period", "id"], name="charge_period_id")]
        constraints = [
            positive_amount("charge_amount_positive"),
            models.CheckConstraint(condition=Q(period__day=1), name="charge_period_first"),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.amount}) on lease #{self.lease_id}, {self.period:%Y-%m}"


class StatementSnapshot(models.Model):
    """What the statement said about the company's whole account in the park when it was
    issued (issue 12 §6): the previous balance, the payments received since the statement
    before it, the total now due, and where to pay. Written with the statement, in the
    issuing transaction, and never changed, so its PDF shows the same figures however often
    it is rendered. A statement issued before these were recorded has none, and its PDF
    shows its own figures only, as it always did.

    previous balance = what the earlier statements owed on issue + the payments since;
    total due = previous balance − payments since + this statement's net payable.
    """

    statement = models.OneToOneField(
        Statement, on_delete=models.CASCADE, primary_key=True, related_name="snapshot"
    )
    previous_balance = models.DecimalField(**MONEY)
    payments_since = models.DecimalField(**MONEY)
    total_due = models.DecimalField(**MONEY)
    # The payment instructions as they stood (empty: the park had none yet).
    bank_name = models.CharField(max_length=100, blank=True, default="")
    account_title = models.CharField(max_length=150, blank=True, default="")
    iban = models.CharField("IBAN", max_length=34, blank=True, default="")
    reference = models.CharField("reference to quote", max_length=60, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(payments_since__gte=0), name="snapshot_payments_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.total_due} due"


class PaymentInstruction(models.Model):
    """Where and how a company pays a park (issue 12 §6), kept by PSEB: the bank, the
    account's title, its IBAN (``subsidies.iban``) and what to quote as the reference."""

    park = models.OneToOneField(
        "parks.Park", on_delete=models.PROTECT, related_name="payment_instruction"
    )
    bank_name = models.CharField("bank", max_length=100)
    account_title = models.CharField(max_length=150)
    iban = models.CharField("IBAN", max_length=34)
    reference = models.CharField(
        "reference to quote",
        max_length=20,
        choices=PaymentReference.choices,
        default=PaymentReference.STATEMENT,
    )
    note = models.CharField(
        max_length=300, blank=True, default="", help_text="Anything else a payer should know."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["park__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reference__in=PaymentReference.values),
                name="payment_instruction_reference_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment instructions of park #{self.park_id}"


class Receipt(models.Model):
    """A numbered receipt for money a company paid at a park (issue 12 §6): one per payment
    received, whatever number of statements it settled (its ``payments``). Numbered
    ``CODE-RC-FY-NNNNN`` per park and fiscal year of its issue, without gaps (like statements
    and credit notes); never edited."""

    number = models.CharField(max_length=40, unique=True)
    company = models.ForeignKey(
        "tenants.Company", on_delete=models.PROTECT, related_name="receipts"
    )
    park = models.ForeignKey("parks.Park", on_delete=models.PROTECT, related_name="receipts")
    issue_date = models.DateField()
    paid_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    reference = models.CharField(max_length=100)
    recorded_by = entered_by()
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issue_date", "-pk"]
        indexes = [models.Index(fields=["company", "-issue_date"], name="receipt_company_date")]
        constraints = [positive_amount("receipt_amount_positive")]

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    """Money received against a statement: its share of a payment received (``receipt``;
    none for payments recorded before receipts were issued)."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="payments")
    receipt = models.ForeignKey(
        Receipt, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    amount = models.DecimalField(**MONEY)
    # What the statement still owed once this share was paid, as it stood when recorded: the
    # receipt prints it, and a later payment or credit note never changes an issued receipt.
    # None for payments recorded before receipts.
    left_to_pay = models.DecimalField(**MONEY, null=True)
    paid_on = models.DateField()
    reference = models.CharField(max_length=100)
    recorded_by = entered_by()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [
            positive_amount("payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} against {self.statement_id} on {self.paid_on}"


class CreditNote(models.Model):
    """A correction of an issued statement, with its own number and a reference to it (§6)."""

    number = models.CharField(max_length=40, unique=True)
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="credit_notes")
    issue_date = models.DateField()
    amount = models.DecimalField(**MONEY)
    reason = models.TextField()
    lease = models.ForeignKey(
        "tenants.Lease",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        help_text="The lease whose earlier end this note credits; empty for one issued by hand.",
    )
    created_by = entered_by()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["issue_date", "pk"]
        constraints = [
            positive_amount("credit_note_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class CreditNoteLine(DocumentLine):
    """One line of a credit note (domain.md §7.2), like a statement's: a credited charge
    (rent, internet, other charge: positive) or a reversed subsidy (negative). The note's
    amount is their sum (``selectors.credit_note_line_mismatches`` proves it)."""

    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["credit_note", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_note", "position"], name="credit_note_line_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=LineKind.values), name="credit_note_line_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["rent_subsidy", "internet_subsidy"], amount__lt=0)
                    | Q(kind__in=["rent", "internet", "charge"], amount__gt=0)
                ),
                name="credit_note_line_sign",
            ),
        ]
