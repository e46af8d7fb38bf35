"""Services of companies, applications, documents, leases and invitations (domain.md §1–4).

Each refusal is checked for its kind — PermissionDenied (a role question, 403), Conflict /
TransitionNotAllowed (the state, 409), ValidationError on a field (the input, 400) — and for
having changed nothing.
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.vocabulary import ApplicationStatus, CompanyKind, MemberRole, ParkStatus
from stp_portal.errors import Conflict, TransitionNotAllowed, UnitAlreadyLeased
from tenants import services
from tenants.inputs import ApplicationInput, CompanyInput
from tenants.models import (
    Application,
    ApplicationDocument,
    Company,
    Invitation,
    Lease,
    LeaseUnit,
    Membership,
)
from tenants.selectors import company_of
from tests.factories import (
    ApplicationFactory,
    LeaseFactory,
    MembershipFactory,
    ParkFactory,
    UnitFactory,
    UserFactory,
)
from tests.pdfs import PDF, pdf_of_size

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
REASON = "Add the number of graduates you will hire."


def today() -> date:
    return timezone.localdate()


def pdf(name="business-plan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def new_draft(user, park, **overrides) -> Application:
    fields = {
        "park": park,
        "seats": 10,
        "area_sqft": Decimal("0"),
        "unit_kind": "office",
        "desired_start": today() + timedelta(days=30),
        "duration_months": 12,
        "business_plan": "A team of twelve building logistics software for local exporters.",
        **overrides,
    }
    return services.application_create(
        user=user, company=company_of(user), data=ApplicationInput(**fields)
    )


def changed(application, **changes) -> ApplicationInput:
    """The application's fields as they are, but for ``changes``."""
    return replace(ApplicationInput.of(application), **changes)


def changed_company(company, **changes) -> CompanyInput:
    return replace(CompanyInput.of(company), **changes)


def move(application, user, action, reason=""):
    return services.application_transition(
        user=user, application=application, action=action, reason=reason
    )


def history(application):
    return [
        (t.actor.username, t.action, t.from_status, t.to_status, t.comment)
        for t in application.transitions.select_related("actor")
    ]


def refresh(application) -> Application:
    application.refresh_from_db()
    return application


@pytest.fixture
def draft(company_user, park):
    return new_draft(company_user, park)


@pytest.fixture
def submitted(draft, company_user):
    return move(draft, company_user, "submit")


@pytest.fixture
def under_review(submitted, pseb_staff):
    return move(submitted, pseb_staff, "review")


@pytest.fixture
def units(park):
    return [
        UnitFactory(
            park=park,
            code="A-101",
            monthly_rent=Decimal("60000.00"),
            internet_fee=Decimal("5000.00"),
        ),
        UnitFactory(
            park=park,
            code="A-102",
            monthly_rent=Decimal("45000.00"),
            internet_fee=Decimal("4000.00"),
        ),
    ]


def approve(application, user, units, start=None, end=None, comment=""):
    return services.application_approve(
        user=user,
        application=application,
        unit_ids=[u.pk for u in units],
        start_date=start or today() + timedelta(days=30),
        end_date=end,
        comment=comment,
    )


# --- The whole lifecycle -----------------------------------------------------------------------
def test_a_draft_goes_through_submit_review_and_approval_into_a_lease_at_the_agreed_prices(
    company_user, pseb_staff, park, units
):
    # given a draft of the company
    application = new_draft(company_user, park)
    assert application.status == ApplicationStatus.DRAFT
    assert application.created_by == company_user
    assert application.company == company_of(company_user)

    # when it is submitted, reviewed and approved with two units
    move(application, company_user, "submit")
    assert refresh(application).status == ApplicationStatus.SUBMITTED
    assert application.submitted_at is not None
    move(application, pseb_staff, "review")
    assert refresh(application).status == ApplicationStatus.UNDER_REVIEW
    start, end = today() + timedelta(days=30), today() + timedelta(days=394)
    lease = approve(application, pseb_staff, units, start, end, comment="Welcome to GUJ.")

    # then the lease exists for the company, the park and the dates, at the units' prices
    application = refresh(application)
    assert application.status == ApplicationStatus.APPROVED
    assert application.decided_at is not None
    assert application.lease == lease
    assert (lease.company, lease.park, lease.start_date, lease.end_date) == (
        application.company,
        park,
        start,
        end,
    )
    assert lease.created_by == pseb_staff
    agreed = {
        lu.unit.code: (lu.monthly_rent, lu.internet_fee, lu.start_date, lu.end_date)
        for lu in lease.lease_units.select_related("unit")
    }
    assert agreed == {
        "A-101": (Decimal("60000.00"), Decimal("5000.00"), start, end),
        "A-102": (Decimal("45000.00"), Decimal("4000.00"), start, end),
    }
    # and every step is in the history with who, from, to and the comment
    assert history(application) == [
        ("owner.one", "submit", "draft", "submitted", ""),
        ("pseb.staff", "review", "submitted", "under_review", ""),
        ("pseb.staff", "approve", "under_review", "approved", "Welcome to GUJ."),
    ]
    assert all(t.created_at for t in application.transitions.all())


def test_approving_a_submitted_application_starts_its_review_on_the_way(
    submitted, pseb_staff, units, mailoutbox, django_capture_on_commit_callbacks
):
    # when PSEB approves a submitted application, without starting its review first
    with django_capture_on_commit_callbacks(execute=True):
        lease = approve(submitted, pseb_staff, units[:1], comment="Welcome.")
    # then both steps are in its history, and the company hears of the approval only
    application = refresh(submitted)
    assert (application.status, application.lease) == (ApplicationStatus.APPROVED, lease)
    assert history(application)[-2:] == [
        ("pseb.staff", "review", "submitted", "under_review", ""),
        ("pseb.staff", "approve", "under_review", "approved", "Welcome."),
    ]
    subjects = [m.subject for m in mailoutbox]
    assert subjects
    assert all("approved" in s for s in subjects), subjects


def test_a_refused_approval_of_a_submitted_application_leaves_it_submitted(
    submitted, pseb_staff, units, other_park
):
    foreign = UnitFactory(park=other_park, code="X-1")
    with pytest.raises(ValidationError):
        approve(submitted, pseb_staff, [foreign])
    assert refresh(submitted).status == ApplicationStatus.SUBMITTED
    assert history(submitted)[-1][1] == "submit"


def test_later_price_changes_do_not_touch_the_approved_lease(under_review, pseb_staff, units):
    lease = approve(under_review, pseb_staff, units[:1])
    units[0].monthly_rent = Decimal("99000.00")
    units[0].save()
    assert lease.lease_units.get().monthly_rent == Decimal("60000.00")


def test_an_approval_may_start_in_the_past_to_onboard_an_existing_tenant(
    under_review, pseb_staff, units
):
    lease = approve(under_review, pseb_staff, units[:1], start=date(2024, 7, 1))
    assert lease.start_date == date(2024, 7, 1)
    assert refresh(under_review).status == ApplicationStatus.APPROVED


def test_an_open_ended_approval_leaves_the_lease_without_an_end(under_review, pseb_staff, units):
    lease = approve(under_review, pseb_staff, units[:1], end=None)
    assert lease.end_date is None
    assert lease.lease_units.get().end_date is None


def test_a_returned_application_is_a_draft_again_that_can_be_edited_and_resubmitted(
    under_review, company_user, pseb_staff
):
    # when PSEB returns it with a reason
    move(under_review, pseb_staff, "return", reason=f"  {REASON}  ")
    application = refresh(under_review)
    assert application.status == ApplicationStatus.DRAFT
    # then the company edits and submits it again
    services.application_update(
        user=company_user, application=application, data=changed(application, seats=14)
    )
    move(application, company_user, "submit")
    application = refresh(application)
    assert (application.status, application.seats) == (ApplicationStatus.SUBMITTED, 14)
    assert history(application)[-2:] == [
        ("pseb.staff", "return", "under_review", "draft", REASON),
        ("owner.one", "submit", "draft", "submitted", ""),
    ]


def test_a_rejection_records_the_reason_and_the_decision_time(under_review, pseb_staff):
    move(under_review, pseb_staff, "reject", reason=REASON)
    application = refresh(under_review)
    assert application.status == ApplicationStatus.REJECTED
    assert application.decided_at is not None
    assert application.lease is None
    assert history(application)[-1] == ("pseb.staff", "reject", "under_review", "rejected", REASON)


@pytest.mark.parametrize("stage", ["draft", "submitted", "under_review"])
def test_the_company_may_withdraw_before_a_decision(request, company_user, stage):
    application = request.getfixturevalue(stage)
    move(application, company_user, "withdraw")
    assert refresh(application).status == ApplicationStatus.WITHDRAWN
    assert history(application)[-1][1:4] == ("withdraw", stage, "withdrawn")


def test_a_member_who_is_not_the_owner_may_submit_and_withdraw(draft, company_user):
    member = MembershipFactory(company=company_of(company_user), role=MemberRole.MEMBER).user
    move(draft, member, "submit")
    move(draft, member, "withdraw")
    assert refresh(draft).status == ApplicationStatus.WITHDRAWN
    assert [t[0] for t in history(draft)] == [member.username, member.username]


# --- Reasons -----------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["reject", "return"])
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_rejecting_or_returning_without_a_reason_is_a_reason_error_and_changes_nothing(
    under_review, pseb_staff, action, reason
):
    with pytest.raises(ValidationError) as error:
        move(under_review, pseb_staff, action, reason=reason)
    assert not isinstance(error.value, Conflict)
    assert "reason" in error.value.message_dict
    assert refresh(under_review).status == ApplicationStatus.UNDER_REVIEW
    assert under_review.transitions.count() == 2


# --- Transitions the state does not allow ------------------------------------------------------
@pytest.mark.parametrize(
    ("stage", "action", "actor"),
    [
        ("draft", "review", "pseb_staff"),
        ("draft", "reject", "pseb_staff"),
        ("draft", "return", "pseb_staff"),
        ("submitted", "submit", "company_user"),
        ("submitted", "reject", "pseb_staff"),
        ("submitted", "return", "pseb_staff"),
        ("under_review", "submit", "company_user"),
        ("under_review", "review", "pseb_staff"),
    ],
)
def test_a_transition_not_allowed_from_the_state_is_refused_and_changes_nothing(
    request, stage, action, actor
):
    application = request.getfixturevalue(stage)
    before = application.transitions.count()
    with pytest.raises(TransitionNotAllowed):
        move(application, request.getfixturevalue(actor), action, reason=REASON)
    assert refresh(application).status == stage
    assert application.transitions.count() == before


@pytest.mark.parametrize("stage", ["draft"])
def test_approving_before_submission_is_refused_and_creates_no_lease(
    request, pseb_staff, units, stage
):
    # (a submitted application is put under review on the way: see above)
    application = request.getfixturevalue(stage)
    before = application.transitions.count()
    with pytest.raises(TransitionNotAllowed):
        approve(application, pseb_staff, units)
    assert refresh(application).status == stage
    assert application.transitions.count() == before
    assert not Lease.objects.exists()


@pytest.mark.parametrize("final", ["approved", "rejected", "withdrawn"])
def test_nothing_moves_a_decided_or_withdrawn_application(
    under_review, company_user, pseb_staff, units, final
):
    if final == "approved":
        approve(under_review, pseb_staff, units[:1])
    elif final == "rejected":
        move(under_review, pseb_staff, "reject", reason=REASON)
    else:
        move(under_review, company_user, "withdraw")
    count = under_review.transitions.count()
    for action, actor in [
        ("submit", company_user),
        ("withdraw", company_user),
        ("review", pseb_staff),
        ("reject", pseb_staff),
        ("return", pseb_staff),
    ]:
        with pytest.raises(TransitionNotAllowed):
            move(under_review, actor, action, reason=REASON)
    with pytest.raises(TransitionNotAllowed):
        approve(under_review, pseb_staff, units[1:])
    assert refresh(under_review).status == final
    assert under_review.transitions.count() == count
    assert Lease.objects.count() == (1 if final == "approved" else 0)


def test_a_stale_copy_cannot_approve_twice(under_review, pseb_staff, units):
    # Two reviewers opened the same page: the second approval finds it already decided.
    stale = Application.objects.get(pk=under_review.pk)
    approve(under_review, pseb_staff, units[:1])
    with pytest.raises(TransitionNotAllowed):
        approve(stale, pseb_staff, units[1:])
    assert Lease.objects.count() == 1


def test_approve_is_not_a_plain_transition(under_review, pseb_staff):
    with pytest.raises(ValueError, match="application_approve"):
        move(under_review, pseb_staff, "approve")
    assert refresh(under_review).status == ApplicationStatus.UNDER_REVIEW


# --- Roles -------------------------------------------------------------------------------------
def test_a_company_cannot_approve_its_own_application(under_review, company_user, units):
    with pytest.raises(PermissionDenied):
        approve(under_review, company_user, units)
    assert refresh(under_review).status == ApplicationStatus.UNDER_REVIEW
    assert not Lease.objects.exists()


@pytest.mark.parametrize("action", ["review", "reject", "return"])
def test_a_company_cannot_review_reject_or_return_its_own_application(
    request, company_user, action
):
    application = request.getfixturevalue("submitted" if action == "review" else "under_review")
    status, count = application.status, application.transitions.count()
    with pytest.raises(PermissionDenied):
        move(application, company_user, action, reason=REASON)
    assert refresh(application).status == status
    assert application.transitions.count() == count


def test_pseb_staff_cannot_submit_for_the_company(draft, pseb_staff):
    with pytest.raises(PermissionDenied):
        move(draft, pseb_staff, "submit")
    assert refresh(draft).status == ApplicationStatus.DRAFT
    assert not draft.transitions.exists()


def test_pseb_staff_cannot_withdraw_for_the_company(submitted, pseb_staff):
    with pytest.raises(PermissionDenied):
        move(submitted, pseb_staff, "withdraw")
    assert refresh(submitted).status == ApplicationStatus.SUBMITTED


def test_a_member_of_another_company_cannot_withdraw(submitted, other_company_user):
    with pytest.raises(PermissionDenied):
        move(submitted, other_company_user, "withdraw")
    assert refresh(submitted).status == ApplicationStatus.SUBMITTED
    assert submitted.transitions.count() == 1


@pytest.mark.parametrize(
    ("stage", "action"), [("draft", "submit"), ("submitted", "withdraw"), ("submitted", "review")]
)
def test_a_park_manager_neither_acts_for_the_company_nor_decides(
    request, park_manager, stage, action
):
    application = request.getfixturevalue(stage)
    with pytest.raises(PermissionDenied):
        move(application, park_manager, action)
    assert refresh(application).status == stage


def test_a_park_manager_cannot_approve(under_review, park_manager, units):
    with pytest.raises(PermissionDenied):
        approve(under_review, park_manager, units)
    assert not Lease.objects.exists()


def test_the_role_is_checked_before_the_state(draft, company_user, units):
    # A company approving its own draft is told it may not, not that the draft is early.
    with pytest.raises(PermissionDenied):
        approve(draft, company_user, units)


# --- Creating and editing drafts ---------------------------------------------------------------
def test_a_planned_park_takes_no_applications(company_user):
    planned = ParkFactory(code="PLN", status=ParkStatus.PLANNED, opening_date=None)
    with pytest.raises(ValidationError) as error:
        new_draft(company_user, planned)
    assert "park" in error.value.message_dict
    assert not Application.objects.exists()


def test_an_upcoming_park_takes_applications(company_user):
    upcoming = ParkFactory(
        code="UPC", status=ParkStatus.UPCOMING, opening_date=today() + timedelta(days=400)
    )
    assert new_draft(company_user, upcoming).park == upcoming


def test_a_desired_start_in_the_past_is_refused(company_user, park):
    with pytest.raises(ValidationError) as error:
        new_draft(company_user, park, desired_start=today() - timedelta(days=1))
    assert "desired_start" in error.value.message_dict
    assert not Application.objects.exists()


def test_a_desired_start_of_today_is_accepted(company_user, park):
    assert new_draft(company_user, park, desired_start=today()).desired_start == today()


def test_a_draft_whose_desired_start_has_passed_cannot_be_submitted(company_user, park):
    application = ApplicationFactory(
        company=company_of(company_user),
        park=park,
        created_by=company_user,
        desired_start=today() - timedelta(days=3),
    )
    with pytest.raises(ValidationError) as error:
        move(application, company_user, "submit")
    assert "desired_start" in error.value.message_dict
    assert refresh(application).status == ApplicationStatus.DRAFT
    assert not application.transitions.exists()


def test_an_application_asks_for_seats_or_an_area(company_user, park):
    with pytest.raises(ValidationError) as error:
        new_draft(company_user, park, seats=0, area_sqft=Decimal("0"))
    assert "seats" in error.value.message_dict
    assert new_draft(company_user, park, seats=0, area_sqft=Decimal("800")).area_sqft == 800


@pytest.mark.parametrize("months", [0, 121])
def test_the_duration_is_one_to_120_months(company_user, park, months):
    with pytest.raises(ValidationError) as error:
        new_draft(company_user, park, duration_months=months)
    assert "duration_months" in error.value.message_dict


@pytest.mark.parametrize("role", ["pseb_staff", "park_manager", "other_company_user"])
def test_only_the_companys_own_users_apply_for_it(request, company_user, park, role):
    with pytest.raises(PermissionDenied):
        services.application_create(
            user=request.getfixturevalue(role),
            company=company_of(company_user),
            data=ApplicationInput(
                park=park,
                seats=3,
                unit_kind="desk",
                desired_start=today() + timedelta(days=10),
                duration_months=6,
                business_plan="x",
            ),
        )
    assert not Application.objects.exists()


def test_a_draft_is_edited_by_its_company(draft, company_user, other_park):
    services.application_update(
        user=company_user,
        application=draft,
        data=changed(draft, park=other_park, seats=4, unit_kind="desk"),
    )
    draft = refresh(draft)
    assert (draft.park, draft.seats, draft.unit_kind) == (other_park, 4, "desk")


def test_fields_outside_the_form_cannot_be_set_through_an_update(draft, company_user):
    # the input has no place for them: naming one is an error, never a silent write
    with pytest.raises(TypeError):
        changed(draft, status="approved", company=None, seats=2)
    services.application_update(user=company_user, application=draft, data=changed(draft, seats=2))
    draft = refresh(draft)
    assert (draft.status, draft.seats) == (ApplicationStatus.DRAFT, 2)


def test_an_edit_moving_a_draft_to_a_planned_park_is_refused(draft, company_user, park):
    planned = ParkFactory(code="PLN", status=ParkStatus.PLANNED, opening_date=None)
    with pytest.raises(ValidationError) as error:
        services.application_update(
            user=company_user, application=draft, data=changed(draft, park=planned)
        )
    assert "park" in error.value.message_dict
    assert refresh(draft).park == park


def test_only_a_draft_can_be_edited(submitted, company_user):
    with pytest.raises(Conflict):
        services.application_update(
            user=company_user, application=submitted, data=changed(submitted, seats=99)
        )
    assert refresh(submitted).seats == 10


@pytest.mark.parametrize("role", ["other_company_user", "pseb_staff", "park_manager"])
def test_only_the_applying_company_edits_a_draft(request, draft, role):
    with pytest.raises(PermissionDenied):
        services.application_update(
            user=request.getfixturevalue(role), application=draft, data=changed(draft, seats=99)
        )
    assert refresh(draft).seats == 10


# --- Approval with units -----------------------------------------------------------------------
def _assert_nothing_written(application):
    assert refresh(application).status == ApplicationStatus.UNDER_REVIEW
    assert application.lease is None
    assert application.transitions.count() == 2
    assert not Lease.objects.filter(company=application.company).exists()
    assert not LeaseUnit.objects.filter(lease__company=application.company).exists()


def test_approving_with_a_unit_of_another_park_is_refused(under_review, pseb_staff, other_park):
    foreign = UnitFactory(park=other_park, code="G-1")
    with pytest.raises(ValidationError) as error:
        approve(under_review, pseb_staff, [foreign])
    assert "units" in error.value.message_dict
    _assert_nothing_written(under_review)


def test_approving_with_a_unit_under_maintenance_is_refused(under_review, pseb_staff, park, units):
    broken = UnitFactory(park=park, code="M-1", under_maintenance=True)
    with pytest.raises(ValidationError) as error:
        approve(under_review, pseb_staff, [units[0], broken])
    assert "M-1" in " ".join(error.value.message_dict["units"])
    _assert_nothing_written(under_review)


def test_approving_with_a_unit_already_let_for_overlapping_dates_is_refused(
    under_review, pseb_staff, park, units
):
    start = today() + timedelta(days=30)
    LeaseFactory(park=park, units=[units[1]], start_date=start - timedelta(days=90), end_date=start)
    with pytest.raises(UnitAlreadyLeased) as error:
        approve(under_review, pseb_staff, units, start=start)
    assert "A-102" in " ".join(error.value.message_dict["units"])
    _assert_nothing_written(under_review)
    assert LeaseUnit.objects.filter(unit=units[0]).count() == 0


def test_approving_with_a_unit_let_until_the_day_before_is_accepted(
    under_review, pseb_staff, park, units
):
    start = today() + timedelta(days=30)
    LeaseFactory(
        park=park,
        units=[units[0]],
        start_date=start - timedelta(days=90),
        end_date=start - timedelta(days=1),
    )
    lease = approve(under_review, pseb_staff, units[:1], start=start)
    assert lease.start_date == start


def test_approving_without_units_is_refused(under_review, pseb_staff):
    with pytest.raises(ValidationError) as error:
        approve(under_review, pseb_staff, [])
    assert "units" in error.value.message_dict
    _assert_nothing_written(under_review)


def test_approving_with_an_end_before_the_start_is_refused(under_review, pseb_staff, units):
    start = today() + timedelta(days=30)
    with pytest.raises(ValidationError) as error:
        approve(under_review, pseb_staff, units, start=start, end=start - timedelta(days=1))
    assert "end_date" in error.value.message_dict
    _assert_nothing_written(under_review)


def test_approving_a_lease_that_starts_before_the_park_opens_is_refused(company_user, pseb_staff):
    opening = today() + timedelta(days=200)
    upcoming = ParkFactory(code="UPC", status=ParkStatus.UPCOMING, opening_date=opening)
    unit = UnitFactory(park=upcoming)
    application = new_draft(company_user, upcoming)
    move(application, company_user, "submit")
    move(application, pseb_staff, "review")
    with pytest.raises(ValidationError) as error:
        approve(application, pseb_staff, [unit], start=opening - timedelta(days=1))
    assert "start_date" in error.value.message_dict
    _assert_nothing_written(application)
    assert approve(application, pseb_staff, [unit], start=opening).start_date == opening


# --- Documents ---------------------------------------------------------------------------------
def add(application, user, upload):
    return services.document_add(user=user, application=application, upload=upload)


def test_a_pdf_is_accepted_by_its_content_and_stored_under_a_generated_name(draft, company_user):
    document = add(draft, company_user, pdf("Our Business Plan.pdf"))
    assert document.original_name == "Our Business Plan.pdf"
    assert document.size_bytes == len(PDF)
    assert document.uploaded_by == company_user
    name = document.file.name
    assert name.startswith(f"private/applications/{draft.pk}/")
    assert name.endswith(".pdf")
    assert "Business" not in name
    with default_storage.open(name, "rb") as stored:
        assert stored.read() == PDF


def test_two_uploads_with_the_same_name_get_different_stored_names(draft, company_user):
    first, second = add(draft, company_user, pdf("plan.pdf")), add(draft, company_user, pdf())
    assert first.file.name != second.file.name


def test_a_pdf_with_another_extension_is_still_a_pdf(draft, company_user):
    assert add(draft, company_user, pdf("scan.bin")).original_name == "scan.bin.pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.pdf", PNG),  # a PNG renamed .pdf
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 64),  # an executable renamed .pdf
        ("notes.pdf", b"hello %PDF-1.7"),  # the signature must open the file
        ("empty.pdf", b""),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_whatever_its_name(draft, company_user, name, content):
    with pytest.raises(ValidationError) as error:
        add(draft, company_user, pdf(name, content))
    assert "file" in error.value.message_dict
    assert not draft.documents.exists()


def test_a_pdf_over_10_mb_is_refused(draft, company_user):
    big = pdf_of_size(settings.UPLOAD_MAX_BYTES + 1)
    with pytest.raises(ValidationError) as error:
        add(draft, company_user, pdf("big.pdf", big))
    assert "10 MB" in " ".join(error.value.message_dict["file"])
    assert not draft.documents.exists()


def test_a_pdf_of_exactly_10_mb_is_accepted(draft, company_user):
    exact = pdf_of_size(settings.UPLOAD_MAX_BYTES)
    assert add(draft, company_user, pdf("exact.pdf", exact)).size_bytes == settings.UPLOAD_MAX_BYTES


@pytest.mark.parametrize("stage", ["submitted", "under_review"])
def test_documents_are_added_only_while_draft(request, company_user, stage):
    application = request.getfixturevalue(stage)
    with pytest.raises(Conflict):
        add(application, company_user, pdf())
    assert not application.documents.exists()


@pytest.mark.parametrize("role", ["other_company_user", "pseb_staff", "park_manager"])
def test_only_the_applying_company_adds_documents(request, draft, role):
    with pytest.raises(PermissionDenied):
        add(draft, request.getfixturevalue(role), pdf())
    assert not draft.documents.exists()


def test_a_removed_document_leaves_the_database_and_the_storage(
    draft, company_user, django_capture_on_commit_callbacks
):
    document = add(draft, company_user, pdf())
    name = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.document_remove(user=company_user, document=document)
    assert not ApplicationDocument.objects.filter(pk=document.pk).exists()
    assert not default_storage.exists(name)


def test_documents_are_removed_only_while_draft(draft, company_user):
    document = add(draft, company_user, pdf())
    move(draft, company_user, "submit")
    with pytest.raises(Conflict):
        services.document_remove(user=company_user, document=document)
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()
    assert default_storage.exists(document.file.name)


def test_another_company_cannot_remove_a_document(draft, company_user, other_company_user):
    document = add(draft, company_user, pdf())
    with pytest.raises(PermissionDenied):
        services.document_remove(user=other_company_user, document=document)
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()


# --- Terminating leases ------------------------------------------------------------------------
@pytest.fixture
def lease(park):
    return LeaseFactory(
        park=park,
        units=[UnitFactory(park=park), UnitFactory(park=park)],
        start_date=date(2026, 3, 15),
        end_date=date(2027, 3, 14),
    )


def terminate(lease, user, end, reason=""):
    return services.lease_terminate(user=user, lease=lease, end_date=end, reason=reason)


def test_pseb_terminates_a_lease_and_its_units_end_the_same_day(lease, pseb_staff):
    terminate(lease, pseb_staff, date(2026, 12, 31), reason="  Moved to Lahore.  ")
    lease.refresh_from_db()
    assert lease.end_date == date(2026, 12, 31)
    assert lease.terminated_at is not None
    assert lease.termination_reason == "Moved to Lahore."
    assert set(lease.lease_units.values_list("end_date", flat=True)) == {date(2026, 12, 31)}
    assert lease.status_on(date(2027, 1, 1)) == "terminated"
    assert lease.status_on(date(2026, 12, 31)) == "active"


def test_an_open_ended_lease_can_be_terminated(park, pseb_staff):
    lease = LeaseFactory(park=park, start_date=date(2026, 3, 15), end_date=None)
    terminate(lease, pseb_staff, date(2030, 1, 31))
    assert lease.lease_units.get().end_date == date(2030, 1, 31)


def test_a_lease_may_end_on_its_first_day(lease, pseb_staff):
    terminate(lease, pseb_staff, lease.start_date)
    lease.refresh_from_db()
    assert lease.end_date == lease.start_date


@pytest.mark.parametrize("role", ["park_manager", "company_user"])
def test_only_pseb_staff_terminate_leases(request, lease, role):
    with pytest.raises(PermissionDenied):
        terminate(lease, request.getfixturevalue(role), date(2026, 12, 31))
    lease.refresh_from_db()
    assert (lease.end_date, lease.terminated_at) == (date(2027, 3, 14), None)


def test_a_termination_cannot_end_the_lease_before_it_starts(lease, pseb_staff):
    with pytest.raises(ValidationError) as error:
        terminate(lease, pseb_staff, date(2026, 3, 14))
    assert "end_date" in error.value.message_dict
    lease.refresh_from_db()
    assert lease.terminated_at is None


@pytest.mark.parametrize("end", [date(2027, 3, 14), date(2027, 3, 15), date(2028, 1, 1)])
def test_a_termination_must_bring_the_end_forward(lease, pseb_staff, end):
    with pytest.raises(ValidationError) as error:
        terminate(lease, pseb_staff, end)
    assert "end_date" in error.value.message_dict
    lease.refresh_from_db()
    assert (lease.end_date, lease.terminated_at) == (date(2027, 3, 14), None)
    assert set(lease.lease_units.values_list("end_date", flat=True)) == {date(2027, 3, 14)}


def test_a_lease_already_terminated_cannot_be_terminated_again(lease, pseb_staff):
    terminate(lease, pseb_staff, date(2026, 12, 31))
    with pytest.raises(Conflict):
        terminate(lease, pseb_staff, date(2026, 10, 31))
    lease.refresh_from_db()
    assert lease.end_date == date(2026, 12, 31)


def test_termination_frees_the_units_after_the_new_end(lease, pseb_staff, park):
    terminate(lease, pseb_staff, date(2026, 12, 31))
    unit = lease.lease_units.first().unit
    later = services.lease_create(
        company=lease.company,
        park=park,
        units=[unit],
        start_date=date(2027, 1, 1),
        end_date=None,
        created_by=pseb_staff,
    )
    assert later.pk


# --- Companies ---------------------------------------------------------------------------------
COMPANY = {
    "name": "Indus Code (Pvt) Ltd",
    "kind": "company",
    "city": "Gujranwala",
    "headcount": 12,
    "women_headcount": 5,
}


def test_the_first_user_creates_the_company_and_becomes_its_owner():
    user = UserFactory()
    company = services.company_create(user=user, data=CompanyInput(**COMPANY))
    membership = Membership.objects.get(user=user)
    assert (membership.company, membership.role) == (company, MemberRole.OWNER)


def test_a_user_who_already_belongs_to_a_company_cannot_create_another(company_user):
    with pytest.raises(PermissionDenied):
        services.company_create(user=company_user, data=CompanyInput(**COMPANY))
    assert not Company.objects.filter(name=COMPANY["name"]).exists()


@pytest.mark.parametrize("role", ["pseb_staff", "park_manager"])
def test_staff_create_no_company(request, role):
    with pytest.raises(PermissionDenied):
        services.company_create(user=request.getfixturevalue(role), data=CompanyInput(**COMPANY))
    assert not Company.objects.filter(name=COMPANY["name"]).exists()


def test_a_freelancer_has_no_secp_number():
    user = UserFactory()
    with pytest.raises(ValidationError) as error:
        services.company_create(
            user=user,
            data=CompanyInput(**{**COMPANY, "kind": "freelancer", "secp_number": "0123456"}),
        )
    assert "secp_number" in error.value.message_dict
    assert not Company.objects.exists()
    assert not Membership.objects.filter(user=user).exists()


def test_women_headcount_cannot_exceed_the_headcount():
    with pytest.raises(ValidationError) as error:
        services.company_create(
            user=UserFactory(), data=CompanyInput(**{**COMPANY, "women_headcount": 13})
        )
    assert "women_headcount" in error.value.message_dict
    assert not Company.objects.exists()


def test_a_company_is_edited_by_its_users_only(company_user, other_company_user):
    company = company_of(company_user)
    services.company_update(
        user=company_user, company=company, data=changed_company(company, headcount=40)
    )
    assert Company.objects.get(pk=company.pk).headcount == 40
    with pytest.raises(PermissionDenied):
        services.company_update(
            user=other_company_user, company=company, data=changed_company(company, headcount=1)
        )
    assert Company.objects.get(pk=company.pk).headcount == 40


def test_an_edit_breaking_the_headcount_rule_changes_nothing(company_user):
    company = company_of(company_user)
    with pytest.raises(ValidationError) as error:
        services.company_update(
            user=company_user, company=company, data=changed_company(company, headcount=2)
        )
    assert "women_headcount" in error.value.message_dict
    assert Company.objects.get(pk=company.pk).headcount == 20


# --- Invitations -------------------------------------------------------------------------------
def invite(owner, email="colleague@example.pk"):
    return services.invitation_create(user=owner, company=company_of(owner), email=email)


def test_the_owner_invites_and_the_token_is_stored_only_as_a_hash(company_user):
    invitation, token = invite(company_user, email="  Colleague@Example.PK ")
    assert invitation.email == "colleague@example.pk"
    assert invitation.invited_by == company_user
    assert token not in invitation.token_hash
    assert len(token) >= 32
    assert invitation.expires_at > timezone.now() + timedelta(days=13)


def test_a_member_who_is_not_the_owner_cannot_invite(company_user):
    member = MembershipFactory(company=company_of(company_user), role=MemberRole.MEMBER).user
    with pytest.raises(PermissionDenied):
        services.invitation_create(user=member, company=company_of(member), email="x@example.pk")
    assert not Invitation.objects.exists()


def test_a_freelancer_has_no_members_to_invite(company_user):
    freelancer = company_of(company_user)
    freelancer.kind = CompanyKind.FREELANCER
    freelancer.save()
    with pytest.raises(PermissionDenied) as refused:
        services.invitation_create(user=company_user, company=freelancer, email="x@example.pk")
    assert "one person's" in str(refused.value)
    assert not Invitation.objects.exists()


def test_the_owner_of_another_company_cannot_invite_to_this_one(company_user, other_company_user):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            user=other_company_user, company=company_of(company_user), email="x@example.pk"
        )
    assert not Invitation.objects.exists()


def test_inviting_someone_already_in_the_company_is_refused(company_user):
    with pytest.raises(ValidationError) as error:
        invite(company_user, email=company_user.email.upper())
    assert "email" in error.value.message_dict


def test_an_invitation_token_makes_the_user_a_member_once(company_user):
    invitation, token = invite(company_user)
    newcomer, latecomer = UserFactory.create_batch(2, email=invitation.email)
    membership = services.invitation_accept(user=newcomer, token=token)
    assert (membership.company, membership.role) == (company_of(company_user), MemberRole.MEMBER)
    invitation = Invitation.objects.get()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (newcomer, True)
    assert services.invitation_for_token(token) is None
    with pytest.raises(ValidationError):
        services.invitation_accept(user=latecomer, token=token)
    assert not Membership.objects.filter(user=latecomer).exists()


def test_an_expired_invitation_is_refused(company_user):
    invitation, token = invite(company_user)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert services.invitation_for_token(token) is None
    newcomer = UserFactory()
    with pytest.raises(ValidationError):
        services.invitation_accept(user=newcomer, token=token)
    assert not Membership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43])
def test_an_unknown_token_is_refused(company_user, token):
    invite(company_user)
    newcomer = UserFactory()
    assert services.invitation_for_token(token) is None
    with pytest.raises(ValidationError):
        services.invitation_accept(user=newcomer, token=token)
    assert not Membership.objects.filter(user=newcomer).exists()


def test_only_the_invited_address_can_accept(company_user):
    invitation, token = invite(company_user)
    stranger = UserFactory(email="someone.else@example.pk")
    with pytest.raises(ValidationError, match=invitation.email):
        services.invitation_accept(user=stranger, token=token)
    assert not Membership.objects.filter(user=stranger).exists()
    assert services.invitation_for_token(token) is not None
    # The address is compared without regard to case or surrounding spaces.
    invited = UserFactory(email=f" {invitation.email.upper()} ")
    assert services.invitation_accept(user=invited, token=token).user == invited


def test_a_user_already_in_a_company_cannot_accept(company_user, other_company_user):
    invitation, token = invite(company_user)
    other_company_user.email = invitation.email
    other_company_user.save()
    with pytest.raises(Conflict):
        services.invitation_accept(user=other_company_user, token=token)
    assert company_of(other_company_user).name == "Second Company (Pvt) Ltd"
    # The invitation stays open for the person it was meant for.
    assert services.invitation_for_token(token) is not None


@pytest.mark.parametrize("role", ["pseb_staff", "park_manager"])
def test_staff_cannot_join_a_company(request, company_user, role):
    _, token = invite(company_user)
    user = request.getfixturevalue(role)
    with pytest.raises(ValidationError):
        services.invitation_accept(user=user, token=token)
    assert not Membership.objects.filter(user=user).exists()
    assert services.invitation_for_token(token) is not None
