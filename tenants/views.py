"""Pages of companies, applications and leases. Thin: scoped selectors in, services out.

Every object is looked up through a selector scoped to the user, so anything outside their
scope answers 404; role refusals (PermissionDenied) answer 403; state conflicts come back as
a message on the page and change nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.vocabulary import ApplicationStatus
from stp_portal.downloads import pdf_download
from stp_portal.errors import Conflict
from stp_portal.forms import add_service_errors
from stp_portal.middleware import accepts_document_upload
from stp_portal.security import safe_next
from subsidies.selectors import lease_billed_through

from . import services
from .domain import TRANSITIONS, actions_from, document_name, lease_end_for
from .filters import ApplicationFilter, LeaseFilter
from .forms import (
    ApplicationForm,
    ApprovalDatesForm,
    ApprovalForm,
    CompanyForm,
    DocumentForm,
    DraftActionsForm,
    InviteForm,
    ReasonForm,
    TerminationForm,
)
from .permissions import has_permission
from .selectors import (
    application_detail,
    applications_list,
    applications_visible_to,
    companies_visible_to,
    company_of,
    free_units_for,
    leases_list,
)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Company ------------------------------------------------------------------------------------
@login_required
@require_GET
def company_home(request: HttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        if request.user.is_company_user:
            return redirect("tenants:company_create")
        raise Http404("Staff accounts have no company of their own.")
    return _company_page(request, company)


@login_required
@require_GET
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(companies_visible_to(request.user), pk=pk)
    return _company_page(request, company)


def _company_page(request: HttpRequest, company) -> HttpResponse:
    can_invite, _ = has_permission("invite_member", request.user, company)
    can_edit, _ = has_permission("edit_company", request.user, company)
    return render(
        request,
        "tenants/company_detail.html",
        {
            "company": company,
            "memberships": company.memberships.select_related("user").order_by("role", "joined_at"),
            "invitations": company.invitations.filter(accepted_at__isnull=True)
            if can_invite
            else [],
            "invite_form": InviteForm() if can_invite else None,
            "can_edit": can_edit,
            "applications": applications_list(request.user).filter(company=company)[:10],
            "leases": leases_list(request.user).filter(company=company),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_create(request: HttpRequest) -> HttpResponse:
    # Where the user was going (the application form for the park they chose, say): kept
    # in the page's own address, which its form posts back to.
    next_url = safe_next(request)
    allowed, reason = has_permission("create_company", request.user)
    if not allowed:
        messages.info(request, reason)
        if next_url and company_of(request.user):
            return HttpResponseRedirect(next_url)
        return redirect("tenants:company" if company_of(request.user) else "dashboard")
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.company_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your profile is created. You can now apply for space.")
            # Never redirect(next_url): a word such as "x" would be looked up as a URL name.
            return HttpResponseRedirect(next_url or reverse("tenants:company"))
    return render(request, "tenants/company_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        raise Http404("You have no company yet.")
    form = CompanyForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        try:
            services.company_update(user=request.user, company=company, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("tenants:company")
    return render(request, "tenants/company_form.html", {"form": form, "creating": False})


@login_required
@require_POST
def company_invite(request: HttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        raise Http404("You have no company yet.")
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, _ = services.invitation_create(
                user=request.user, company=company, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
    else:
        messages.error(request, "Give a valid e-mail address to invite.")
    return redirect("tenants:company")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        raise Http404("This invitation link is unknown, already used or expired.")
    if request.method == "POST" and request.user.is_authenticated:
        try:
            services.invitation_accept(user=request.user, token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"You are now a member of {invitation.company.name}.")
            return redirect("tenants:company")
    return render(request, "tenants/invitation_accept.html", {"invitation": invitation})


# --- Applications -------------------------------------------------------------------------------
@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    queryset = applications_list(request.user)
    application_filter = ApplicationFilter(request.GET, queryset=queryset)
    rows = application_filter.qs if application_filter.is_valid() else queryset.none()
    # Latest submitted first; drafts (never submitted) last on every database — PostgreSQL
    # would otherwise put their NULL submitted_at at the top of the review queue.
    ordered = rows.order_by(F("submitted_at").desc(nulls_last=True), "-created_at", "-pk")
    page = Paginator(ordered, 25).get_page(request.GET.get("page"))
    can_apply = company_of(request.user) is not None
    return render(
        request,
        "tenants/application_list.html",
        {
            "filter": application_filter,
            "page": page,
            "query": _query_without_page(request),
            "can_apply": can_apply,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        if request.user.is_company_user:
            messages.info(request, "Create your company or freelancer profile first.")
            # ...and come back here, to the park chosen, once it exists.
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('tenants:company_create')}?{query}")
        raise Http404("Only company accounts apply for space.")
    initial = {"park": request.GET.get("park", "").upper() or None, "duration_months": 12}
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                user=request.user, company=company, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Draft saved. Add supporting documents, then submit it.")
            return redirect("tenants:application_edit", pk=application.pk)
    return render(request, "tenants/application_form.html", {"form": form})


@login_required
@require_GET
def application_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(application_detail(request.user), pk=pk)
    actions = []
    for action in actions_from(application.status):
        allowed, _ = has_permission("transition", request.user, application, action)
        if allowed:
            actions.append(TRANSITIONS[action])
    can_edit = (
        application.status == ApplicationStatus.DRAFT
        and has_permission("edit_application", request.user, application)[0]
    )
    return render(
        request,
        "tenants/application_detail.html",
        {
            "application": application,
            "actions": actions,
            "can_edit": can_edit,
            "reason_form": ReasonForm(),
            "history": _history(application),
        },
    )


# How each step of an application's history reads (domain.md §3), and what its comment is.
HISTORY_EVENTS = {
    "submit": ("Submitted", "Comment"),
    "withdraw": ("Withdrawn", "Comment"),
    "review": ("Review started", "Comment"),
    "approve": ("Approved", "Comment"),
    "reject": ("Rejected", "Reason"),
    "return": ("Returned to the company for changes", "Reason"),
}


def _history(application) -> list[dict]:
    """The application's history in words: what happened, by whom, when, and why."""
    entries = [
        {"event": "Draft created", "actor": application.created_by, "at": application.created_at}
    ]
    for step in application.transitions.all():
        event, comment_label = HISTORY_EVENTS.get(
            step.action, (step.get_to_status_display(), "Comment")
        )
        entries.append(
            {
                "event": event,
                "actor": step.actor,
                "at": step.created_at,
                "comment": step.comment,
                "comment_label": comment_label,
            }
        )
    return entries


APPLICATION_FORM_ID = "application-form"


@accepts_document_upload
@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft. Every button of the page (save, upload, remove a document, submit)
    posts this one form, and the whole post is one service call: everything it asks for
    happens, or nothing does and the page says what was not done and why."""
    application = get_object_or_404(application_detail(request.user), pk=pk)
    allowed, reason = has_permission("edit_application", request.user, application)
    if not allowed:
        raise PermissionDenied(reason)
    if application.status != ApplicationStatus.DRAFT:
        messages.error(request, "Only a draft can be edited.")
        return redirect("tenants:application_detail", pk=pk)
    posted = request.method == "POST"
    form = ApplicationForm(
        request.POST if posted else None,
        instance=application,
        initial={"park": application.park.code},
    )
    actions = DraftActionsForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        application=application,
        form_id=APPLICATION_FORM_ID,
    )
    if posted:
        # Both forms are judged, so that every problem shows at once.
        valid = [form.is_valid(), actions.is_valid()]
        if all(valid):
            document = actions.cleaned_data["remove_document"]
            try:
                result = services.application_edit(
                    user=request.user,
                    application=application,
                    fields=form.cleaned_data,
                    upload=actions.cleaned_data["file"],
                    remove_document_id=document.pk if document else None,
                    submit=actions.cleaned_data["then"] == "submit",
                )
            except ValidationError as exc:  # Conflict included: nothing was written
                _add_edit_errors(form, actions, exc)
            else:
                messages.success(request, _edit_done(result))
                target = "application_detail" if result.submitted else "application_edit"
                return redirect(f"tenants:{target}", pk=pk)
        messages.error(request, _nothing_saved(request, form, actions))
        application.refresh_from_db(fields=["status"])
        if application.status != ApplicationStatus.DRAFT:  # someone moved it on meanwhile
            return redirect("tenants:application_detail", pk=pk)
    return render(
        request,
        "tenants/application_form.html",
        {
            "form": form,
            "application": application,
            "document_form": actions,
            "form_id": APPLICATION_FORM_ID,
        },
    )


def _add_edit_errors(form, actions, error: ValidationError) -> None:
    """The service's refusal onto the form of the field it names (the file and the
    document to remove are the actions form's); anything else is the page's."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            target = actions if field in actions.fields else form
            for problem in problems:
                target.add_error(field if field in target.fields else None, problem)
    else:
        add_service_errors(form, error)


def _in_words(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _edit_done(result: services.EditResult) -> str:
    """Exactly what a post of the edit page did."""
    done = ["Draft saved"]
    if result.removed:
        done.append(f"{result.removed} removed")
    if result.uploaded:
        done.append(f"{result.uploaded.original_name} uploaded")
    if result.submitted:
        done.append("the application submitted")
    return _in_words(done) + "."


def _nothing_saved(request: HttpRequest, form, actions) -> str:
    """What a refused post of the edit page asked for and did not get, and why."""
    not_done = ["the draft is unchanged"]
    removing = actions.cleaned_data.get("remove_document") if actions.is_bound else None
    if removing is not None:
        not_done.append(f"{removing.original_name} was not removed")
    elif request.POST.get("remove_document"):
        not_done.append("no document was removed")
    chosen = request.FILES.get("file")
    if chosen is not None:
        not_done.append(f"{document_name(chosen.name)} was not uploaded")
    if request.POST.get("then") == "submit":
        not_done.append("the application was not submitted")
    problems = [
        f"{bound.fields[field].label or field.replace('_', ' ').capitalize()}: {problem}"
        if field != NON_FIELD_ERRORS
        else problem
        for bound in (form, actions)
        for field, errors in bound.errors.items()
        for problem in errors
    ]
    message = f"Nothing was saved: {_in_words(not_done)}. " + " ".join(
        p if p.endswith(".") else f"{p}." for p in problems
    )
    if chosen is not None:
        message += f" Choose {document_name(chosen.name)} again once the rest is right."
    return message.strip()


@login_required
@require_POST
def application_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = get_object_or_404(applications_list(request.user), pk=pk)
    if action not in TRANSITIONS or action == "approve":
        raise Http404("No such action.")
    allowed, why = has_permission("transition", request.user, application, action)
    if not allowed:
        raise PermissionDenied(why)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        # A reason too long must say so, not be dropped and then reported as missing.
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("tenants:application_detail", pk=pk)
    reason = form.cleaned_data["reason"]
    try:
        services.application_transition(
            user=request.user, application=application, action=action, reason=reason
        )
    except ValidationError as exc:  # Conflict included: a message, nothing changed
        messages.error(request, " ".join(exc.messages))
    else:
        label = {
            "submit": "submitted",
            "withdraw": "withdrawn",
            "review": "under review",
            "reject": "rejected",
            "return": "returned to the company",
        }[action]
        messages.success(request, f"Application #{application.pk} is {label}.")
    return redirect("tenants:application_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick the dates, then specific units free for those dates, then approve."""
    application = get_object_or_404(application_detail(request.user), pk=pk)
    allowed, reason = has_permission("transition", request.user, application, "approve")
    if not allowed:
        raise PermissionDenied(reason)
    source = request.POST if request.method == "POST" else request.GET
    default_start = max(
        application.desired_start, application.park.opening_date or application.desired_start
    )
    dates = ApprovalDatesForm(
        source or None,
        initial={
            "start_date": default_start,
            "end_date": lease_end_for(default_start, application.duration_months),
        },
    )
    units, form = [], None
    if dates.is_bound and dates.is_valid():
        start, end = dates.cleaned_data["start_date"], dates.cleaned_data["end_date"]
        units = _requested_kind_first(free_units_for(application.park_id, start, end), application)
        choices = [(str(u.pk), u.code) for u in units]
        form = ApprovalForm(
            request.POST if request.method == "POST" else None,
            unit_choices=choices,
            initial=dates.cleaned_data,
        )
        if request.method == "POST" and form.is_valid():
            try:
                lease = services.application_approve(
                    user=request.user,
                    application=application,
                    unit_ids=[int(u) for u in form.cleaned_data["units"]],
                    start_date=start,
                    end_date=end,
                    comment=form.cleaned_data["comment"],
                )
            except Conflict as exc:
                messages.error(request, " ".join(exc.messages))
                if application.status != ApplicationStatus.UNDER_REVIEW:
                    return redirect("tenants:application_detail", pk=pk)
                units = _requested_kind_first(
                    free_units_for(application.park_id, start, end), application
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Approved: lease #{lease.pk} created.")
                return redirect("tenants:lease_detail", pk=lease.pk)
    return render(
        request,
        "tenants/application_approve.html",
        {
            "application": application,
            "dates": dates,
            "form": form,
            "units": units,
        },
    )


def _requested_kind_first(units: Iterable, application) -> list:
    """Free units with those of the kind the application asks for first, each by code."""
    return sorted(units, key=lambda u: (u.kind != application.unit_kind, u.code))


@accepts_document_upload
@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(applications_list(request.user), pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a PDF file to upload.")
    else:
        try:
            document = services.document_add(
                user=request.user, application=application, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Uploaded {document.original_name}.")
    return redirect("tenants:application_edit", pk=pk)


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    application = get_object_or_404(applications_list(request.user), pk=pk)
    document = get_object_or_404(application.documents, pk=document_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    return pdf_download(handle, document.original_name)


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    application = get_object_or_404(applications_list(request.user), pk=pk)
    document = get_object_or_404(application.documents, pk=document_pk)
    try:
        services.document_remove(user=request.user, document=document)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Removed {document.original_name}.")
    return redirect("tenants:application_edit", pk=pk)


# --- Leases -------------------------------------------------------------------------------------
@login_required
@require_GET
def lease_list(request: HttpRequest) -> HttpResponse:
    queryset = leases_list(request.user)
    lease_filter = LeaseFilter(request.GET, queryset=queryset)
    rows = lease_filter.qs if lease_filter.is_valid() else queryset.none()
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "tenants/lease_list.html",
        {
            "filter": lease_filter,
            "page": page,
            "query": _query_without_page(request),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def lease_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lease = get_object_or_404(leases_list(request.user).select_related("created_by"), pk=pk)
    can_terminate, _ = has_permission("terminate_lease", request.user, lease)
    # The application it came from, only if this user may see that too.
    application = applications_visible_to(request.user).filter(lease=lease).first()
    return render(
        request,
        "tenants/lease_detail.html",
        {
            "lease": lease,
            "today": timezone.localdate(),
            "application": application,
            "can_terminate": can_terminate and lease.terminated_at is None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lease_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    lease = get_object_or_404(leases_list(request.user), pk=pk)
    allowed, reason = has_permission("terminate_lease", request.user, lease)
    if not allowed:
        raise PermissionDenied(reason)
    form = TerminationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ended = services.lease_terminate(user=request.user, lease=lease, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("tenants:lease_detail", pk=pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Lease #{lease.pk} terminated.")
            for note in ended.credit_notes_issued:
                messages.info(
                    request,
                    f"Credit note {note.number} issued on statement {note.statement.number}: "
                    f"PKR {note.amount:,.2f} billed for days after the new end date.",
                )
            return redirect("tenants:lease_detail", pk=pk)
    return render(
        request,
        "tenants/lease_terminate.html",
        {"lease": lease, "form": form, "billed_through": lease_billed_through(request.user, lease)},
    )
