import uuid
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.vocabulary import ApplicationStatus, CompanyKind, MemberRole, UnitKind
from stp_portal.validators import validate_programme_date

from .domain import lease_status_on
from .validators import validate_pdf_document

if TYPE_CHECKING:
    from accounts.models import User


def _not_negative(verbose_name: str, *, max_digits: int) -> models.DecimalField:
    """An amount or area in two decimals, 0.00 when none, never negative."""
    return models.DecimalField(
        verbose_name,
        max_digits=max_digits,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )


class Company(models.Model):
    """A tenant: an IT/ITeS company or a freelancer profile (domain.md §3)."""

    name = models.CharField("legal name", max_length=200)
    kind = models.CharField(max_length=20, choices=CompanyKind.choices)
    pseb_registration = models.CharField(
        "PSEB registration number", max_length=50, blank=True, default=""
    )
    secp_number = models.CharField(
        "SECP incorporation number",
        max_length=50,
        blank=True,
        default="",
        help_text="Companies only; freelancers leave it blank.",
    )
    ntn = models.CharField("NTN", max_length=20, blank=True, default="")
    city = models.CharField(max_length=100)
    website = models.URLField(blank=True, default="")
    headcount = models.PositiveIntegerField(default=0)
    women_headcount = models.PositiveIntegerField(default=0)
    export_earnings_usd = _not_negative("export earnings last fiscal year (USD)", max_digits=14)
    services = models.TextField("services offered", blank=True, default="")
    members: "models.ManyToManyField[User, Membership]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="companies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                fields=["pseb_registration"],
                condition=~Q(pseb_registration=""),
                name="unique_pseb_registration",
                violation_error_message="A company with this PSEB registration number is "
                "already registered.",
            ),
            models.CheckConstraint(
                condition=Q(women_headcount__lte=F("headcount")),
                name="company_women_within_headcount",
            ),
            models.CheckConstraint(
                condition=Q(kind=CompanyKind.COMPANY) | Q(secp_number=""),
                name="company_secp_only_for_companies",
            ),
            models.CheckConstraint(
                condition=Q(export_earnings_usd__gte=0), name="company_export_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CompanyKind.values), name="company_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A company user's place in their one company; the owner invites members."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # A company user belongs to exactly one company (domain.md §1).
            models.UniqueConstraint(
                fields=["user"],
                name="one_company_per_user",
                violation_error_message="This user already belongs to a company.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) at {self.company}"


class Application(models.Model):
    """A company asking for space in one park (domain.md §3)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="applications")
    park = models.ForeignKey("parks.Park", on_delete=models.PROTECT, related_name="applications")
    seats = models.PositiveIntegerField(default=0)
    area_sqft = _not_negative("area wanted (sq ft)", max_digits=10)
    unit_kind = models.CharField("preferred unit kind", max_length=10, choices=UnitKind.choices)
    desired_start = models.DateField(validators=[validate_programme_date])
    duration_months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    business_plan = models.TextField(max_length=5000)
    status = models.CharField(
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    lease = models.OneToOneField(
        "tenants.Lease",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications_created",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The lists' orders (issue 9): the API's newest first. The review queue's (latest
            # submitted first, never-submitted drafts last) is indexed on PostgreSQL only
            # (migration 0007: SQLite cannot index NULLS LAST).
            models.Index(F("created_at").desc(), F("id").desc(), name="application_newest"),
            models.Index(fields=["status", "-created_at"], name="application_status_newest"),
            # The dashboards' "waiting for a decision", oldest first.
            models.Index(
                fields=["submitted_at"],
                condition=Q(
                    status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
                ),
                name="application_waiting",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gt=0) | Q(area_sqft__gt=0),
                name="application_wants_seats_or_area",
            ),
            models.CheckConstraint(
                condition=Q(duration_months__gte=1, duration_months__lte=120),
                name="application_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values),
                name="application_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(lease__isnull=True) | Q(status=ApplicationStatus.APPROVED),
                name="application_lease_only_when_approved",
            ),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.APPROVED) | Q(lease__isnull=False),
                name="application_approved_has_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"Application #{self.pk} by {self.company} for {self.park.code}"


class ApplicationTransition(models.Model):
    """One step of an application's history: who moved it, when, from, to, and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="transitions"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status} ({self.action})"


def application_document_path(instance: "ApplicationDocument", filename: str) -> str:
    # The stored name is generated; the user's file name is kept only as metadata.
    return f"private/applications/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class ApplicationDocument(models.Model):
    """A supporting PDF; stored under a generated name outside any public URL."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(
        upload_to=application_document_path,
        max_length=255,
        validators=[validate_pdf_document],
        help_text="PDF only, at most 10 MB.",
    )
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Lease(models.Model):
    """A company's lease of one or more units in one park (domain.md §4).

    Its status (scheduled, active, ended, terminated) is derived from the dates and the
    termination record on a given day, not stored.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="leases")
    park = models.ForeignKey("parks.Park", on_delete=models.PROTECT, related_name="leases")
    start_date = models.DateField("commencement")
    end_date = models.DateField("end date (inclusive)", null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    termination_reason = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "pk"]
        indexes = [models.Index(fields=["-start_date", "id"], name="lease_list_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="lease_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(terminated_at__isnull=True) | Q(end_date__isnull=False),
                name="lease_termination_sets_end",
            ),
        ]

    def __str__(self) -> str:
        return f"Lease #{self.pk}: {self.company} at {self.park.code} from {self.start_date}"

    def status_on(self, day: date) -> str:
        return lease_status_on(
            day, start=self.start_date, end=self.end_date, terminated=self.terminated_at is not None
        )


class LeaseUnit(models.Model):
    """One unit of a lease, with the prices agreed at approval and the dates it is let.

    The dates repeat the lease's so the database can refuse overlapping lets of one unit
    (an exclusion constraint on PostgreSQL); later price changes of the unit never touch it.
    """

    lease = models.ForeignKey(Lease, on_delete=models.CASCADE, related_name="lease_units")
    unit = models.ForeignKey("parks.Unit", on_delete=models.PROTECT, related_name="lease_units")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    monthly_rent = models.DecimalField(max_digits=12, decimal_places=2)
    internet_fee = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["lease", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["lease", "unit"], name="unique_unit_per_lease"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="lease_unit_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(monthly_rent__gte=0), name="lease_unit_rent_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(internet_fee__gte=0), name="lease_unit_internet_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} in lease #{self.lease_id}"


class Invitation(models.Model):
    """The owner's invitation for someone to join the company as a member.

    Only a hash of the token is stored; the token itself travels in the e-mailed link.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.company}"
