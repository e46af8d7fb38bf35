"""Writes on applications: drafts, their documents and the workflow (domain.md §3)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from core.vocabulary import ApplicationStatus
from parks.models import Unit
from stp_portal.errors import Conflict, TransitionNotAllowed

from .. import tasks
from ..domain import (
    TRANSITIONS,
    application_problems,
    approval_steps,
    document_name,
    transition_problem,
)
from ..inputs import ApplicationInput
from ..models import Application, ApplicationDocument, ApplicationTransition, Company, Lease
from ..permissions import ensure
from ..validators import validate_pdf_document
from .leases import lease_create

if TYPE_CHECKING:
    from accounts.models import User


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
def application_create(*, user: User, company: Company, data: ApplicationInput) -> Application:
    """Save a draft application of ``company`` (domain.md §3)."""
    ensure("apply", user, company)
    application = Application(company=company, created_by=user, status=ApplicationStatus.DRAFT)
    data.apply_to(application)
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
def application_update(
    *, user: User, application: Application, data: ApplicationInput
) -> Application:
    """Edit a draft. Anything past draft is the reviewers' now and cannot change."""
    application = _locked_draft(user, application)
    data.apply_to(application)
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
    data: ApplicationInput,
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
            application = application_update(user=user, application=application, data=data)
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


def _record(
    application: Application, user: User, action: str, comment: str, *, notify: bool = True
) -> None:
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
    if notify:
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
    (domain.md §3). Past start dates are allowed for onboarding existing tenants.

    A submitted application is put under review on the way (``approval_steps``, issue 12
    §7): both steps are recorded in its history, all or nothing; the company is e-mailed
    the approval only, the review it never waited on is not news."""
    application = _locked(application)
    if approval_steps(application.status)[:1] == ["review"]:
        _check_transition(user, application, "review", "")
        _record(application, user, "review", "", notify=False)
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
        size_bytes=cast(int, upload.size),  # an upload has its size (_check_upload used it)
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
