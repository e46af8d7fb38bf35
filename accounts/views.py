from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_ratelimit.decorators import ratelimit
from knox.models import AuthToken

from stp_portal.forms import add_service_errors
from stp_portal.security import safe_next

from .forms import OneTimeCodeForm, SignUpForm
from .http import AuthenticatedHttpRequest
from .panels import panels_for
from .services import (
    api_token_revoke,
    api_tokens_revoke_all,
    email_verification_send,
    password_reset_send,
    two_factor_device_confirm,
    two_factor_device_pending,
    user_signup,
)
from .services import email_verify as email_verify_service
from .two_factor import code_problem, confirmed_device, requires_second_factor

# Page rate limits count per client address (stp_portal.security.client_ip).
RATE_KEY = "ip"

# Sign-in attempts per address, whatever the username: the lock-out counts one username
# from one address, so this is what slows one address trying a few passwords on many
# accounts. High enough for a park's offices signing in behind one address each morning.
sign_in_rate_limit = ratelimit(
    group="sign-in", key=RATE_KEY, rate=lambda g, r: settings.SIGN_IN_RATE, method="POST"
)


@method_decorator(sign_in_rate_limit, name="post")
class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return resolve_url("dashboard")


class SignOutView(auth_views.LogoutView):
    """GET shows a confirmation page; POST signs out (never on a bare GET, against CSRF)."""

    http_method_names = ["get", "post", "options"]
    template_name = "accounts/sign_out.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return render(request, self.template_name)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have been signed out.")
        return response


@ratelimit(key=RATE_KEY, rate=lambda group, request: settings.SIGN_UP_RATE, method="POST")
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """Self sign-up for companies and freelancers; then create the company profile."""
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url or resolve_url("dashboard"))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_signup(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome, {user.username}. We have e-mailed a link to {user.email}: follow it "
                "to confirm the address before you submit an application.",
            )
            return HttpResponseRedirect(next_url or resolve_url("tenants:company_create"))
    return render(request, "accounts/sign_up.html", {"form": form, "next": next_url})


@ratelimit(key=RATE_KEY, rate=lambda group, request: settings.SIGN_UP_RATE)
@require_GET
def email_verify(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the verification e-mail."""
    try:
        user = email_verify_service(token=token)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dashboard" if request.user.is_authenticated else "accounts:login")
    messages.success(request, f"Thank you: {user.email} is confirmed.")
    return redirect("dashboard" if request.user.is_authenticated else "accounts:login")


@login_required
@ratelimit(key=RATE_KEY, rate=lambda group, request: settings.SIGN_UP_RATE, method="POST")
@require_POST
def email_verification_resend(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.email_verified_at is None and request.user.email:
        email_verification_send(user=request.user)
        messages.success(request, f"We have sent a new link to {request.user.email}.")
    return redirect("dashboard")


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, but the e-mail is queued (accounts.services.password_reset_send)."""

    def save(self, *args, **kwargs) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_send(user_id=user.pk)


@method_decorator(
    ratelimit(key=RATE_KEY, rate=lambda g, r: settings.PASSWORD_RESET_RATE, method="POST"),
    name="post",
)
class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset: the same answer, as fast, whether or not an account has the address."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")


class _RevokesTokensOnNewPassword:
    """A new password ends every API token of the user (``api_tokens_revoke_all``)."""

    def form_valid(self, form):
        response = super().form_valid(form)  # type: ignore[misc]
        api_tokens_revoke_all(user=form.user)
        return response


class PasswordChangeView(_RevokesTokensOnNewPassword, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetConfirmView(_RevokesTokensOnNewPassword, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes: too many failed sign-ins for this username from this address (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (
        f"Too many failed sign-ins for this account from your address. Wait {minutes} "
        "minutes and try again, or reset your password."
    )
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff confirm a TOTP code each sign-in; the first time they enrol their app here."""
    user = request.user
    next_url = safe_next(request) or resolve_url("dashboard")
    # OTPMiddleware (django-otp) gives the request's user is_verified(); the stubs don't know.
    if not requires_second_factor(user) or user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(next_url)
    device = confirmed_device(user)
    enrolling = device is None
    if device is None:  # enrolling
        device = two_factor_device_pending(user=user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = code_problem(device, form.cleaned_data["code"])
        if problem is None:
            if enrolling:
                two_factor_device_confirm(user=user, device=device)
            otp_login(request, device)
            messages.success(request, "Second factor confirmed.")
            return HttpResponseRedirect(next_url)
        form.add_error("code", problem)
    context = {"form": form, "next": next_url, "enrolling": enrolling}
    if enrolling:
        context |= {
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4),
            "secret": b32encode(device.bin_key).decode(),
        }
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_GET
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's own account: a company user's money first (balance, arrears by
    statement, where to pay, receipts), then address, password, second factor, API tokens."""
    user = request.user
    tokens = AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")
    context = {
        "tokens": tokens,
        "second_factor": confirmed_device(user) if requires_second_factor(user) else None,
        "needs_second_factor": requires_second_factor(user),
        # A company user's page opens with their money (issue 12 §6): their own company's
        # account only (``company_of``), never another's.
        "panels": panels_for(user),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_key: str) -> HttpResponse:
    api_token_revoke(user=request.user, token_key=token_key)
    messages.success(request, f"The API token {token_key}… no longer works.")
    return redirect("accounts:account")
