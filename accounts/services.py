"""Writes on accounts."""

from __future__ import annotations

from typing import cast

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from core.vocabulary import Role

from . import tasks
from .models import User
from .tokens import email_verification_claim


@transaction.atomic
def staff_user_create(*, username: str, password: str, role: str, email: str = "") -> User:
    """Create a PSEB staff account or a park manager's account (domain.md §1). A manager's
    parks are assigned by ``parks.services.staff_user_create_with_parks``, which calls this."""
    if role not in (Role.PSEB, Role.PARK_MANAGER):
        raise ValidationError({"role": "Staff accounts are 'pseb' or 'park_manager'."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username {username!r} is taken."})
    user = User(username=username, email=email, role=role)
    validate_password(password, user)
    user.set_password(password)
    # PSEB staff run the admin site; park managers work in the portal's own pages.
    user.is_staff = user.is_superuser = role == Role.PSEB
    user.save()
    return user


@transaction.atomic
def user_signup(*, username: str, email: str, password: str) -> User:
    """Self sign-up (domain.md §1): a company user with no company yet. A link to confirm the
    address is e-mailed; the company submits applications once it is confirmed."""
    username, email = username.strip(), email.strip().lower()
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "Choose a username."
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = "This username is taken."
    if not email:
        errors["email"] = "Give an e-mail address; notifications and statements go there."
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = "An account with this e-mail address already exists."
    user = User(username=username, email=email, role=Role.COMPANY)
    if not errors:
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    email_verification_send(user=user)
    return user


def email_verification_send(*, user: User) -> None:
    """E-mail ``user`` a link that confirms their address (after the transaction commits)."""
    transaction.on_commit(lambda: tasks.send_email_verification.delay(user.pk))


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Follow a verification link: the address it was made for is the user's address now."""
    claim = email_verification_claim(token)
    user: User | None = None
    if claim is not None:
        user_id, email = claim
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is not None and user.email.lower() != email:
            user = None  # the address changed since: that link no longer proves anything
    if user is None:
        raise ValidationError(
            "This link is not valid any more: it has expired or the address has changed. "
            "Sign in and ask for a new one."
        )
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for ``user``: only its hash is stored; the token itself is shown once.
    It expires after ``API_TOKEN_TTL_DAYS``."""
    return cast("tuple[AuthToken, str]", AuthToken.objects.create(user=user))


def api_token_revoke(*, user: User, token_key: str) -> None:
    """Revoke one of the user's own tokens (by the key shown in the list); another user's
    token is as unknown as a token that never existed."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise Http404("No such token.")


def two_factor_device_pending(*, user: User) -> TOTPDevice:
    """The authenticator being enrolled: one unconfirmed TOTP device per user, kept until its
    first code is confirmed (so reloading the page shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def two_factor_device_confirm(*, user: User, device: TOTPDevice) -> TOTPDevice:
    """The first code from an enrolled app was right: the device counts from now on."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return device


# --- PSEB staff looking after accounts (the admin site) ---------------------------------------
def _ensure_pseb(user: User) -> None:
    if not (user.is_authenticated and user.is_pseb_staff):
        raise PermissionDenied("Only PSEB staff look after other people's accounts.")


@transaction.atomic
def user_update(
    *,
    user: User,
    target: User,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    is_active: bool | None = None,
) -> User:
    """PSEB staff correct a person's name or address, or switch an account off (someone who
    left). ``None`` leaves a field as it is. A role is fixed when the account is made (it
    decides admin access and what the person sees): a new role is a new account.

    A new address is unconfirmed until its owner follows the link e-mailed to it (§3: a
    company submits only from a confirmed address).
    """
    _ensure_pseb(user)
    target = User.objects.select_for_update().get(pk=target.pk)
    if is_active is False and target.pk == user.pk:
        raise ValidationError({"is_active": "You cannot switch off your own account."})
    new_email = email.strip().lower() if email is not None else None
    email_changed = new_email is not None and new_email != target.email.lower()
    others = User.objects.filter(email__iexact=new_email).exclude(pk=target.pk)
    if email_changed and others.exists():
        raise ValidationError({"email": "An account with this e-mail address already exists."})
    for name, value in (("first_name", first_name), ("last_name", last_name)):
        if value is not None:
            setattr(target, name, value.strip())
    if is_active is not None:
        target.is_active = is_active
    if email_changed and new_email is not None:
        target.email, target.email_verified_at = new_email, None
    target.full_clean(exclude=["password"])
    target.save()
    if email_changed and new_email:
        email_verification_send(user=target)
    return target


def sign_in_unlock(*, user: User, username: str, ip_address: str | None = None) -> int:
    """Lift a sign-in lock-out before its cool-off ends (someone who proved who they are):
    the failures counted for ``username`` (from ``ip_address`` only, if given) are forgotten,
    wherever axes counts them (the database, or Redis). Returns how many records went."""
    _ensure_pseb(user)
    return int(axes_reset(username=username, ip=ip_address or None))


@transaction.atomic
def two_factor_devices_remove(*, user: User, target: User) -> int:
    """Remove a staff member's authenticator (a lost or replaced phone): at their next
    sign-in they enrol a new one, as at first. Returns how many devices went."""
    _ensure_pseb(user)
    deleted, _ = TOTPDevice.objects.filter(user=target).delete()
    return int(deleted)


def api_tokens_revoke_all(*, user: User) -> int:
    """A new password ends every API token of the user: whoever held the old password may
    have made one. Returns how many were revoked."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return int(deleted)


def password_reset_send(*, user_id: int) -> None:
    """E-mail a password reset link, after the request: the page answers at once and alike
    whether or not an account has the address (no timing or mail-error difference)."""
    transaction.on_commit(lambda: tasks.send_password_reset.delay(user_id))
