"""Pages of a company: its profile, its members and the invitations to join it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from stp_portal.forms import add_service_errors
from stp_portal.security import safe_next

from .. import services
from ..forms import CompanyForm, InviteForm
from ..inputs import CompanyInput
from ..models import Company
from ..permissions import has_permission
from ..selectors import applications_list, companies_visible_to, company_of, leases_list
from ._common import told

PROFILE_CREATED = "Your profile is created. You can now apply for space."


@login_required
@require_GET
def company_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        if has_permission("create_company", request.user):
            return redirect("tenants:company_create")
        raise Http404("Staff accounts have no company of their own.")
    return _company_page(request, company)


@login_required
@require_GET
def company_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(companies_visible_to(request.user), pk=pk)
    return _company_page(request, company)


def _company_page(request: HttpRequest, company: Company) -> HttpResponse:
    can_invite = has_permission("invite_member", request.user, company).allowed
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
            "applications": applications_list(request.user).filter(company=company)[:10],
            "leases": leases_list(request.user).filter(company=company),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Where the user was going (the application form for the park they chose, say): kept
    # in the page's own address, which its form posts back to.
    next_url = safe_next(request)
    allowed, reason = has_permission("create_company", request.user)
    if not allowed:
        messages.info(request, reason)
        if next_url and company_of(request.user):
            return HttpResponseRedirect(next_url)
        return redirect("tenants:company" if company_of(request.user) else "dashboard")
    # Never redirect(next_url): a word such as "x" would be looked up as a URL name.
    return _profile_form(request, None, then=next_url or reverse("tenants:company"))


@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        raise Http404("You have no company yet.")
    return _profile_form(request, company, then=reverse("tenants:company"))


def _profile_form(
    request: AuthenticatedHttpRequest, company: Company | None, *, then: str
) -> HttpResponse:
    """The profile's form: a new company's (the user becomes its owner) or ``company``'s."""
    form = CompanyForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        data = CompanyInput(**form.cleaned_data)
        try:
            if company is None:
                services.company_create(user=request.user, data=data)
            else:
                services.company_update(user=request.user, company=company, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            done = PROFILE_CREATED if company is None else "Profile saved."
            messages.success(request, done)
            return HttpResponseRedirect(then)
    return render(request, "tenants/company_form.html", {"form": form, "creating": company is None})


@login_required
@require_POST
def company_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        raise Http404("You have no company yet.")
    form = InviteForm(request.POST)
    if form.is_valid():
        told(
            request,
            lambda: services.invitation_create(
                user=request.user, company=company, email=form.cleaned_data["email"]
            ),
            lambda sent: f"Invitation sent to {sent[0].email}.",
        )
    else:
        messages.error(request, "Give a valid e-mail address to invite.")
    return redirect("tenants:company")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        raise Http404("This invitation link is unknown, already used or expired.")
    if request.method == "POST" and request.user.is_authenticated:
        user = request.user  # a signed-in user, as just asked
        joined = told(
            request,
            lambda: services.invitation_accept(user=user, token=token),
            lambda _: f"You are now a member of {invitation.company.name}.",
        )
        if joined:
            return redirect("tenants:company")
    return render(request, "tenants/invitation_accept.html", {"invitation": invitation})
