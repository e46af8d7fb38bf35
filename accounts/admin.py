"""Accounts and the sign-in security records in the admin (stp_portal.admin: one write path).

Deliberate choices for each model shown here:
- Users: staff accounts are made through ``staff_user_create`` (company users sign
  themselves up); ``parks.admin`` extends this admin so a park manager is made with their
  parks, as ``add_staff_user`` does. A name, an address or the active flag changes through
  ``user_update``. The role, and the admin flags it decides, are fixed at creation. No
  password is set here: people reset their own by e-mail, so no one else ever knows it.
  Nobody is deleted (leases, transitions and the audit trail name them): switch them off.
- Groups: not shown. Roles decide every permission (accounts.models.Role); groups would be
  a second, unused permission system that could still grant rights.
- Sign-in lock-outs (django-axes): the records are read-only; the "Unlock sign-in" action,
  here and on users, calls ``sign_in_unlock``, which resets the count wherever axes keeps
  it (with Redis there are no records to list, so the user action is the one that works).
- API tokens (knox): listed (never their digest) with a "Revoke" action that calls
  ``api_token_revoke``. Tokens are not made here: a token is shown once, to its owner.
- Authenticators (django-otp TOTP): listed without their secret (the stock admin shows the
  key and a QR code to any admin) with a "Remove authenticator" action that calls
  ``two_factor_devices_remove``: a staff member who lost the phone enrols again at the next
  sign-in.
"""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from core.vocabulary import Role
from stp_portal.admin import ReadOnlyAdmin, ServiceAdmin, service_error_messages

from .models import User

USER_EDITABLE = ("email", "first_name", "last_name", "is_active")  # services.user_update


def _replace(model, admin_class) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, admin_class)


def _run_each(model_admin, request, objects, call, done: str) -> None:
    """Call a service for each object on its own; a refusal is a message, never a 500."""
    count = 0
    for obj in objects:
        try:
            with transaction.atomic():
                call(obj)
        except ValidationError as exc:
            for problem in service_error_messages(exc):
                model_admin.message_user(request, f"{obj}: {problem}", messages.ERROR)
        else:
            count += 1
    if count:
        model_admin.message_user(request, done.format(count=count), messages.SUCCESS)


def _service_action(kind: str, description: str, done: str, call, objects=None):
    """An admin action calling the service ``write_services[kind]`` for each selected object
    (or each of ``objects(queryset)``) as ``call(service, request, obj)``."""

    @admin.action(description=description)
    def action(model_admin, request, queryset) -> None:
        service = model_admin.service(kind)
        chosen = queryset if objects is None else objects(queryset)
        _run_each(model_admin, request, chosen, lambda obj: call(service, request, obj), done)

    action.__name__ = kind
    return action


AUTHENTICATOR_REMOVED = (
    "Authenticator removed for {count} user(s); they enrol again at their next sign-in."
)


def _remove_authenticator(remove, request, user) -> None:
    remove(user=request.user, target=user)


class StaffUserAddForm(forms.ModelForm):
    role = forms.ChoiceField(
        choices=[(Role.PSEB, Role.PSEB.label), (Role.PARK_MANAGER, Role.PARK_MANAGER.label)],
        help_text="Company users sign up themselves in the portal.",
    )
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password (again)", strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ("username", "email", "role")

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return cleaned


@admin.register(User)
class UserAdmin(ServiceAdmin):
    write_services = {
        "add": "accounts.services.staff_user_create",
        "change": "accounts.services.user_update",
        "unlock_sign_in": "accounts.services.sign_in_unlock",
        "remove_authenticator": "accounts.services.two_factor_devices_remove",
    }
    actions = ("unlock_sign_in", "remove_authenticator")
    add_form = StaffUserAddForm
    add_fields: tuple[str, ...] = ("username", "email", "role", "password1", "password2")
    list_display = ("username", "email", "role", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return (
            "username",
            *USER_EDITABLE,
            "role",
            "is_staff",
            "is_superuser",
            "email_verified_at",
            "last_login",
            "date_joined",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return tuple(f for f in self.get_fields(request, obj) if f not in USER_EDITABLE)

    def create(self, request, form):
        return self.service("add")(**self.account(form))

    @staticmethod
    def account(form) -> dict:
        """The new account as the add form gives it, in the service's words."""
        data = form.cleaned_data
        return {
            "username": data["username"],
            "password": data["password1"],
            "role": data["role"],
            "email": data.get("email") or "",
        }

    def update(self, request, obj, form):
        return self.service("change")(user=request.user, target=obj, **self.changed(form))

    unlock_sign_in = _service_action(
        "unlock_sign_in",
        "Unlock sign-in of the selected users",
        "Sign-in unlocked for {count} user(s).",
        lambda unlock, request, user: unlock(user=request.user, username=user.username),
    )
    remove_authenticator = _service_action(
        "remove_authenticator",
        "Remove the authenticator of the selected users",
        AUTHENTICATOR_REMOVED,
        _remove_authenticator,
    )


if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class AccessAttemptAdmin(ServiceAdmin, AxesAccessAttemptAdmin):
    write_services = {"unlock": "accounts.services.sign_in_unlock"}
    actions = ("unlock",)

    unlock = _service_action(
        "unlock",
        "Unlock sign-in for these usernames and addresses",
        "{count} lock-out record(s) cleared.",
        lambda unlock, request, attempt: unlock(
            user=request.user, username=attempt.username, ip_address=attempt.ip_address
        ),
    )


class AccessFailureLogAdmin(ReadOnlyAdmin, AxesAccessFailureLogAdmin):
    pass


class AccessLogAdmin(ReadOnlyAdmin, AxesAccessLogAdmin):
    pass


_replace(AccessAttempt, AccessAttemptAdmin)
_replace(AccessFailureLog, AccessFailureLogAdmin)
_replace(AccessLog, AccessLogAdmin)


class AuthTokenAdmin(ServiceAdmin):
    write_services = {"revoke": "accounts.services.api_token_revoke"}
    actions = ("revoke",)
    list_display = ("token_key", "user", "created", "expiry")
    search_fields = ("token_key", "user__username")
    list_select_related = ("user",)
    fields = readonly_fields = ("user", "token_key", "created", "expiry")

    # The service revokes a token of the user it is given: here, the token's owner.
    revoke = _service_action(
        "revoke",
        "Revoke the selected API tokens",
        "{count} token(s) revoked.",
        lambda revoke, request, token: revoke(user=token.user, token_key=token.token_key),
        objects=lambda tokens: tokens.select_related("user"),
    )


_replace(AuthToken, AuthTokenAdmin)


class TOTPDeviceAdmin(ServiceAdmin):
    write_services = {"remove_authenticator": "accounts.services.two_factor_devices_remove"}
    actions = ("remove_authenticator",)
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    # Never the key: whoever sees it can make the codes.
    fields = readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")

    remove_authenticator = _service_action(
        "remove_authenticator",
        "Remove the authenticator (the user enrols again)",
        AUTHENTICATOR_REMOVED,
        _remove_authenticator,
        objects=lambda devices: User.objects.filter(pk__in=devices.values("user")),
    )


_replace(TOTPDevice, TOTPDeviceAdmin)
