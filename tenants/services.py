"""Writes on tenant data: typed, atomic, validated (conventions.md).

Each service checks the role (PermissionDenied → 403), the workflow state (Conflict → 409)
and the input (ValidationError → 400) before writing anything, and queues its e-mails to
go out only once the transaction has committed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from audit.trail import log_created, update_logged
from core.calendar import date_problem
from core.vocabulary import ApplicationStatus, MemberRole
from parks.models import Park, Unit
from stp_portal.errors import Conflict, TransitionNotAllowed, UnitAlreadyLeased
from subsidies.models import SubsidyWindow
from subsidies.services import credit_notes_for_ended_lease, leases_lock

from . import tasks
from .domain import TRANSITIONS, application_problems, document_name, transition_problem
from .models import (
    Application,
    ApplicationDocument,
    ApplicationTransition,
    Company,
    Invitation,
    Lease,
    LeaseUnit,
    Membership,
)
from .permissions import ensure
from .selectors import lets_overlapping
from .validators import validate_pdf_document

if TYPE_CHECKING:
    from accounts.models import User

INVITATION_DAYS = 14
COMPANY_FIELDS = (
    "name",
    "kind",
    "pseb_registration",
    "secp_number",
    "ntn",
    "city",
    "website",
    "headcount",
    "women_headcount",
    "export_earnings_usd",
    "services",
)
APPLICATION_FIELDS = (
    "park",
    "seats",
    "area_sqft",
    "unit_kind",
    "desired_start",
    "duration_months",
    "business_plan",
)


# --- Companies and members ---------------------------------------------------------------------
def _validate_company(company: Company) -> None:
    # The friendly, field-level messages first; full_clean then checks everything else.
    errors: dict[str, str] = {}
    if company.kind == "freelancer" and company.secp_number:
        errors["secp_number"] = "Freelancers have no SECP incorporation number; leave it blank."
    if company.women_headcount > company.headcount:
        errors["women_headcount"] = "Women headcount cannot exceed the total headcount."
    if errors:
        raise ValidationError(errors)
    company.full_clean(exclude=["members"])


@transaction.atomic
def company_create(*, user: User, **fields: Any) -> Company:
    """The first user of a company creates its profile and becomes its owner."""
    ensure("create_company", user)
    company = Company(**{k: v for k, v in fields.items() if k in COMPANY_FIELDS})
    _validate_company(company)
    company.save()
    try:
        with transaction.atomic():
            Membership.objects.create(user=user, company=company, role=MemberRole.OWNER)
    except IntegrityError as exc:  # the same user raced to create a second company
        raise Conflict("You already belong to a company.") from exc
    return company


@transaction.atomic
def company_update(*, user: User, company: Company, **fields: Any) -> Company:
    ensure("edit_company", user, company)
    for name, value in fields.items():
        if name in COMPANY_FIELDS:
            setattr(company, name, value)
    _validate_company(company)
    company.save()
    return company


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(*, user: User, company: Company, email: str) -> tuple[Invitation, str]:
    """Invite ``email`` to join ``company``; returns the invitation and its secret token."""
    ensure("invite_member", user, company)
    email = email.strip().lower()
    if company.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": "This person is already a member of the company."})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        company=company,
        email=email,
        token_hash=_token_hash(token),
        invited_by=user,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation.pk, token))
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The open invitation this token stands for, or None (unknown, used or expired)."""
    return (
        Invitation.objects.select_related("company")
        .filter(
            token_hash=_token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> Membership:
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ValidationError("This invitation link is unknown, already used or expired.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been used.")
    if not user.is_company_user:
        raise ValidationError("Staff accounts cannot join a company.")
    if user.email.strip().lower() != invitation.email:
        raise ValidationError(
            f"This invitation was sent to {invitation.email}; sign in with the account of "
            "that address, or create one with it."
        )
    if user.memberships.exists():
        raise Conflict("You already belong to a company; a user belongs to one company.")
    membership = Membership.objects.create(
        user=user, company=invitation.company, role=MemberRole.MEMBER
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, user: User, invitation: Invitation) -> Invitation:
    """Withdraw an invitation not yet used: its link stops working now. The company's owner
    may, and PSEB staff (say, one sent to a wrong address). The row stays, as a record."""
    if not user.is_pseb_staff:
        ensure("invite_member", user, invitation.company)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(f"The invitation to {invitation.email} has already been used.")
    now = timezone.now()
    if invitation.expires_at > now:
        invitation.expires_at = now
        invitation.save(update_fields=["expires_at"])
    return invitation


# --- Applications -----------------------------------------------------------------------------
def _validate_application(application: Application, *, today: date) -> None:
    park = application.park
    errors = application_problems(
        seats=application.seats or 0,  # none wanted is stored as 0
        area_sqft=application.area_sqft or Decimal(0),
        desired_start=application.desired_start,
        today=today,
        park_status=park.status,
        park_name=park.name,
    )
    if errors:
        raise ValidationError(errors)
    application.full_clean(exclude=["lease", "created_by", "company", "park", "status"])


@transaction.atomic
def application_create(*, user: User, company: Company, **fields: Any) -> Application:
    """Save a draft application of ``company`` (domain.md §3)."""
    ensure("apply", user, company)
    application = Application(
        company=company,
        created_by=user,
        status=ApplicationStatus.DRAFT,
        **{k: v for k, v in fields.items() if k in APPLICATION_FIELDS},
    )
    _validate_application(application, today=timezone.localdate())
    application.save()
    return application


def _locked_draft(user: User, application: Application) -> Application:
    """The application locked, if ``user`` may edit it and it is still a draft."""
    application = _locked(application)
    ensure("edit_application", user, application)
    if application.status != ApplicationStatus.DRAFT:
        raise Conflict(
            "Only a draft can be edited; this application is "
            f"{application.get_status_display().lower()}."
        )
    return application


@transaction.atomic
def application_update(*, user: User, application: Application, **fields: Any) -> Application:
    """Edit a draft. Anything past draft is the reviewers' now and cannot change."""
    application = _locked_draft(user, application)
    for name, value in fields.items():
        if name in APPLICATION_FIELDS:
            setattr(application, name, value)
    _validate_application(application, today=timezone.localdate())
    application.save()
    return application


@dataclass(frozen=True)
class EditResult:
    """What one post of a draft's edit page did; all of it was committed together."""

    application: Application
    removed: str | None = None  # the removed document's name
    uploaded: ApplicationDocument | None = None
    submitted: bool = False


def application_edit(
    *,
    user: User,
    application: Application,
    fields: Mapping[str, Any],
    upload: UploadedFile | None = None,
    remove_document_id: int | None = None,
    submit: bool = False,
) -> EditResult:
    """Everything a draft's edit page asks for at once, all or nothing (domain.md §3): save
    the edits, remove one of its documents, add the file chosen, then submit.

    The upload is judged (a PDF by its content, within the size limit) before anything is
    written. Any refusal — a bad file, a document not of this application, bad fields, a
    refused submission — rolls every step back; the file stored for the upload is then
    deleted too, and a removed document's file is only deleted once all of it commits.
    """
    removed: str | None = None
    uploaded: ApplicationDocument | None = None
    # The atomic block sits inside the try so that a failure at commit cleans up as well.
    try:
        with transaction.atomic():
            application = _locked_draft(user, application)
            if upload is not None:
                _check_upload(upload)
            application = application_update(user=user, application=application, **fields)
            if remove_document_id is not None:
                document = _document_of(application, remove_document_id)
                document_remove(user=user, document=document)
                removed = document.original_name
            if upload is not None:
                uploaded = document_add(user=user, application=application, upload=upload)
            if submit:
                application = application_transition(
                    user=user, application=application, action="submit"
                )
    except BaseException:
        if uploaded is not None:
            _delete_stored(uploaded.file)
        raise
    return EditResult(application=application, removed=removed, uploaded=uploaded, submitted=submit)


def _document_of(application: Application, document_id: int) -> ApplicationDocument:
    """One of this application's own documents; any other id is a field error."""
    document = None
    if 0 < document_id < 2**63:  # past the 64-bit range SQLite raises instead of finding none
        document = application.documents.filter(pk=document_id).first()
    if document is None:
        raise ValidationError(
            {"remove_document": "That document is not on this application (already removed?)."}
        )
    return document


def _locked(application: Application) -> Application:
    """Re-read the application under a row lock so concurrent actions queue up."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("company", "park")
        .get(pk=application.pk)
    )


def _record(application: Application, user: User, action: str, comment: str) -> None:
    target = TRANSITIONS[action].target
    transition = ApplicationTransition.objects.create(
        application=application,
        actor=user,
        action=action,
        from_status=application.status,
        to_status=target,
        comment=comment.strip(),
    )
    application.status = target
    now = timezone.now()
    if action == "submit":
        application.submitted_at = now
    if action in ("approve", "reject"):
        application.decided_at = now
    application.save()
    transaction.on_commit(lambda: tasks.send_application_transition_email.delay(transition.pk))


def _check_transition(user: User, application: Application, action: str, reason: str) -> None:
    ensure("transition", user, application, action)
    problem = transition_problem(action, application.status, reason)
    if problem is None:
        return
    if application.status in TRANSITIONS[action].sources:  # only the reason is missing
        raise ValidationError({"reason": problem})
    raise TransitionNotAllowed(problem)


@transaction.atomic
def application_transition(
    *, user: User, application: Application, action: str, reason: str = ""
) -> Application:
    """Submit, withdraw, review, reject or return an application (approve has its own)."""
    if action == "approve":
        raise ValueError("Use application_approve: approval allocates units.")
    application = _locked(application)
    _check_transition(user, application, action, reason)
    if action == "submit":
        if user.email_verified_at is None:
            raise ValidationError(
                f"Confirm your e-mail address first: follow the link we sent to {user.email} "
                "(or ask for a new one on your dashboard)."
            )
        _validate_application(application, today=timezone.localdate())
    _record(application, user, action, reason)
    return application


@transaction.atomic
def application_approve(
    *,
    user: User,
    application: Application,
    unit_ids: Sequence[int],
    start_date: date,
    end_date: date | None = None,
    comment: str = "",
) -> Lease:
    """Approve and allocate specific units: the lease is created in the same transaction
    (domain.md §3). Past start dates are allowed for onboarding existing tenants."""
    application = _locked(application)
    _check_transition(user, application, "approve", comment)
    wanted = {int(pk) for pk in unit_ids}
    units = list(Unit.objects.filter(park=application.park, pk__in=wanted))
    unknown = wanted - {u.pk for u in units}
    if unknown:
        raise ValidationError(
            {"units": f"Not units of {application.park.code}: {sorted(unknown)}."}
        )
    flagged = [u.code for u in units if u.under_maintenance]
    if flagged:
        raise ValidationError({"units": f"Under maintenance: {', '.join(flagged)}."})
    lease = lease_create(
        company=application.company,
        park=application.park,
        units=units,
        start_date=start_date,
        end_date=end_date,
        created_by=user,
    )
    application.lease = lease
    _record(application, user, "approve", comment)
    return lease


@transaction.atomic
def document_add(
    *, user: User, application: Application, upload: UploadedFile
) -> ApplicationDocument:
    """Attach a supporting PDF to a draft, stored under a generated name."""
    application = _locked(application)
    ensure("edit_application", user, application)
    if application.status != ApplicationStatus.DRAFT:
        raise Conflict("Documents can be added while the application is a draft.")
    _check_upload(upload)
    document = ApplicationDocument(
        application=application,
        original_name=document_name(upload.name),
        size_bytes=upload.size,
        uploaded_by=user,
    )
    document.file.save("document.pdf", upload, save=False)
    try:
        document.save()
    except BaseException:
        _delete_stored(document.file)  # no row refers to it
        raise
    return document


def _check_upload(upload: UploadedFile) -> None:
    """A supporting document must be a PDF by its content, within the size limit."""
    try:
        validate_pdf_document(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc


def _delete_stored(stored: FieldFile) -> None:
    if stored.name:
        stored.storage.delete(stored.name)


@transaction.atomic
def document_remove(*, user: User, document: ApplicationDocument) -> None:
    application = _locked(document.application)
    ensure("edit_application", user, application)
    if application.status != ApplicationStatus.DRAFT:
        raise Conflict("Documents can be removed while the application is a draft.")
    stored = document.file
    document.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))


# --- Leases -------------------------------------------------------------------------------------
def validate_lease(
    *,
    park: Park,
    units: Sequence[Unit],
    start_date: date,
    end_date: date | None,
    exclude_lease_id: int | None = None,
    company_id: int | None = None,
) -> None:
    """The rules every lease obeys, wherever it is written (portal, API, admin).

    At least one unit, all of the lease's park; the end not before the start; no start
    before the park opens (domain.md §2); no unit already let on one of the days (§3); no
    start before the company's subsidy window in the park, once billing has fixed it (§5).
    """
    if not units:
        raise ValidationError({"units": "Choose at least one unit."})
    dates = {"start_date": start_date, "end_date": end_date}
    errors = {f: p for f, day in dates.items() if day and (p := date_problem(day))}
    if errors:
        raise ValidationError(errors)
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": "The end date cannot be before the start date."})
    foreign = [u.code for u in units if u.park_id != park.pk]
    if foreign:
        raise ValidationError({"units": f"Not units of {park.code}: {', '.join(foreign)}."})
    if park.opening_date is None or start_date < park.opening_date:
        opens = park.opening_date.isoformat() if park.opening_date else "a date not yet set"
        raise ValidationError(
            {"start_date": f"{park.name} opens on {opens}; no lease can start before it."}
        )
    if company_id is not None:
        window_start_check(company_id=company_id, park=park, start_date=start_date)
    clashes = list(
        lets_overlapping(
            [u.pk for u in units], start_date, end_date, exclude_lease_id=exclude_lease_id
        )
    )
    if clashes:
        raise UnitAlreadyLeased(
            {
                "units": "Already leased for overlapping dates: "
                + "; ".join(f"{c.unit.code} from {c.start_date}" for c in clashes)
                + "."
            }
        )


def window_start_check(*, company_id: int, park: Park, start_date: date) -> None:
    """A company's subsidy window in a park starts with its first lease there (§5 rule 1)
    and is fixed when the company is first billed there. A lease dated before that window
    would move it under statements already issued, so it is refused (409): correct the
    issued months with credit notes first, or record the lease from the window's start."""
    window = (
        SubsidyWindow.objects.filter(company_id=company_id, park=park, start__gt=start_date)
        .only("start")
        .first()
    )
    if window is not None:
        raise Conflict(
            {
                "start_date": f"This company's subsidy window at {park.code} was fixed from "
                f"{window.start:%Y-%m-%d} when it was first billed there; a lease cannot start "
                "before it."
            }
        )


@transaction.atomic
def lease_create(
    *,
    company: Company,
    park: Park,
    units: Sequence[Unit],
    start_date: date,
    end_date: date | None,
    created_by: User,
) -> Lease:
    """Create a lease of ``units`` at the units' current prices (domain.md §3–4).

    Refuses: no units, units of another park, an end before the start, a start before the
    park opens, and any unit already let on one of the dates. Past starts are allowed
    (onboarding existing tenants).
    """
    validate_lease(
        park=park, units=units, start_date=start_date, end_date=end_date, company_id=company.pk
    )
    # Lock the company's leases in the park (billing's order: a chunk fixing its subsidy
    # window waits, or is waited for), then the units, and check again: two approvals of one
    # unit queue up instead of racing.
    leases_lock(park_id=park.pk, company_ids=[company.pk])
    locked = list(Unit.objects.select_for_update().filter(pk__in=[u.pk for u in units]))
    validate_lease(
        park=park, units=locked, start_date=start_date, end_date=end_date, company_id=company.pk
    )
    lease = Lease.objects.create(
        company=company,
        park=park,
        start_date=start_date,
        end_date=end_date,
        created_by=created_by,
    )
    try:
        with transaction.atomic():
            lease_units = LeaseUnit.objects.bulk_create(
                LeaseUnit(
                    lease=lease,
                    unit=unit,
                    start_date=start_date,
                    end_date=end_date,
                    monthly_rent=unit.monthly_rent,
                    internet_fee=unit.internet_fee,
                )
                for unit in locked
            )
            log_created(lease_units)  # bulk_create sends no signal
    except IntegrityError as exc:  # the exclusion constraint caught a race
        raise UnitAlreadyLeased(
            {"units": "A unit was leased for these dates by someone else just now."}
        ) from exc
    return lease


@transaction.atomic
def lease_terminate(*, user: User, lease: Lease, end_date: date, reason: str = "") -> Lease:
    """End a lease early (domain.md §4): termination sets the end date, never extends it.

    An end dated back into months already billed credits what they billed for the days
    after it (§6); the lease answered carries those ``credit_notes_issued``.
    """
    ensure("terminate_lease", user, lease)
    # The company's leases in the park, in billing's locking order (it may correct them).
    leases_lock(park_id=lease.park_id, company_ids=[lease.company_id])
    lease = Lease.objects.select_related("park", "company").get(pk=lease.pk)
    if lease.terminated_at is not None:
        raise Conflict(f"This lease was already terminated on {lease.end_date:%Y-%m-%d}.")
    if problem := date_problem(end_date):
        raise ValidationError({"end_date": problem})
    if end_date < lease.start_date:
        raise ValidationError(
            {
                "end_date": f"The lease starts on {lease.start_date:%Y-%m-%d}; it cannot end "
                "before that."
            }
        )
    if lease.end_date is not None and end_date >= lease.end_date:
        raise ValidationError(
            {
                "end_date": f"The lease already ends on {lease.end_date:%Y-%m-%d}; a termination "
                "must bring the end forward."
            }
        )
    lease.end_date, lease.terminated_at = end_date, timezone.now()
    lease.termination_reason = reason.strip()
    lease.save()
    # A unit that left the lease earlier keeps its own end. Recorded in the audit trail with
    # each unit's old end (a plain update sends no signal).
    update_logged(
        lease.lease_units.filter(Q(end_date__isnull=True) | Q(end_date__gt=end_date)),
        end_date=end_date,
    )
    # Months already billed past the new end are corrected with credit notes (§6).
    lease.credit_notes_issued = credit_notes_for_ended_lease(user=user, lease=lease)
    credit_note_ids = [note.pk for note in lease.credit_notes_issued]
    transaction.on_commit(
        lambda: tasks.send_lease_terminated_email.delay(lease.pk, credit_note_ids)
    )
    return lease
