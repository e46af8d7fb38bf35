"""A draft's edit page and its supporting documents: every button of the page posts one
form, and the whole post is one service call (domain.md §3)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from core.vocabulary import ApplicationStatus
from stp_portal.downloads import pdf_download
from stp_portal.forms import add_service_errors
from stp_portal.middleware import accepts_document_upload

from .. import services
from ..domain import document_name
from ..forms import ApplicationForm, DocumentForm, DraftActionsForm
from ..inputs import ApplicationInput
from ..models import Application
from ..permissions import ensure
from ..selectors import application_detail, applications_list
from ._common import told

APPLICATION_FORM_ID = "application-form"


@accepts_document_upload
@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Edit a draft. Every button of the page (save, upload, remove a document, submit)
    posts this one form, and the whole post is one service call: everything it asks for
    happens, or nothing does and the page says what was not done and why."""
    application = get_object_or_404(application_detail(request.user), pk=pk)
    ensure("edit_application", request.user, application)
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
        if all([form.is_valid(), actions.is_valid()]):
            done = _edit(request, application, form, actions)
            if done is not None:
                return done
        messages.error(request, _nothing_saved(request, form, actions))
        application.refresh_from_db(fields=["status"])
        if application.status != ApplicationStatus.DRAFT:  # someone moved it on meanwhile
            return redirect("tenants:application_detail", pk=pk)
    context = {"form": form, "document_form": actions, "form_id": APPLICATION_FORM_ID}
    return render(request, "tenants/application_form.html", {**context, "application": application})


def _edit(
    request: AuthenticatedHttpRequest,
    application: Application,
    form: ApplicationForm,
    actions: DraftActionsForm,
) -> HttpResponse | None:
    """The post's one service call: where to go once done, or None when it was refused
    (the refusal is then on the forms)."""
    document = actions.cleaned_data["remove_document"]
    try:
        result = services.application_edit(
            user=request.user,
            application=application,
            data=ApplicationInput(**form.cleaned_data),
            upload=actions.cleaned_data["file"],
            remove_document_id=document.pk if document else None,
            submit=actions.cleaned_data["then"] == "submit",
        )
    except ValidationError as exc:  # Conflict included: nothing was written
        _add_edit_errors(form, actions, exc)
        return None
    messages.success(request, _edit_done(result))
    target = "application_detail" if result.submitted else "application_edit"
    return redirect(f"tenants:{target}", pk=application.pk)


def _add_edit_errors(
    form: ApplicationForm, actions: DraftActionsForm, error: ValidationError
) -> None:
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


def _nothing_saved(request: HttpRequest, form: ApplicationForm, actions: DraftActionsForm) -> str:
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
        for problem in cast("list[str]", errors)  # an ErrorList yields its messages as str
    ]
    message = f"Nothing was saved: {_in_words(not_done)}. " + " ".join(
        p if p.endswith(".") else f"{p}." for p in problems
    )
    if chosen is not None:
        message += f" Choose {document_name(chosen.name)} again once the rest is right."
    return message.strip()


# --- Supporting documents, one at a time (the API's way too) ---------------------------------
@accepts_document_upload
@login_required
@require_POST
def document_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(applications_list(request.user), pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a PDF file to upload.")
    else:
        told(
            request,
            lambda: services.document_add(
                user=request.user, application=application, upload=form.cleaned_data["file"]
            ),
            lambda document: f"Uploaded {document.original_name}.",
        )
    return redirect("tenants:application_edit", pk=pk)


@login_required
@require_GET
def document_download(request: AuthenticatedHttpRequest, pk: int, document_pk: int) -> FileResponse:
    application = get_object_or_404(applications_list(request.user), pk=pk)
    document = get_object_or_404(application.documents, pk=document_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc
    return pdf_download(handle, document.original_name)


@login_required
@require_POST
def document_delete(request: AuthenticatedHttpRequest, pk: int, document_pk: int) -> HttpResponse:
    application = get_object_or_404(applications_list(request.user), pk=pk)
    document = get_object_or_404(application.documents, pk=document_pk)
    told(
        request,
        lambda: services.document_remove(user=request.user, document=document),
        lambda _: f"Removed {document.original_name}.",
    )
    return redirect("tenants:application_edit", pk=pk)
