"""Writes on accounts."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from parks.models import Park, ParkManagerAssignment

from .models import Role, User


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    password: str,
    role: str,
    park_codes: Sequence[str] = (),
    email: str = "",
) -> User:
    """Create a PSEB staff account or a park manager of the given parks."""
    if role not in (Role.PSEB, Role.PARK_MANAGER):
        raise ValidationError({"role": "Staff accounts are 'pseb' or 'park_manager'."})
    if role == Role.PARK_MANAGER and not park_codes:
        raise ValidationError({"park": "A park manager needs at least one --park CODE."})
    if role == Role.PSEB and park_codes:
        raise ValidationError({"park": "PSEB staff see every park; --park is for managers."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username {username!r} is taken."})
    codes = sorted({c.upper() for c in park_codes})
    parks = list(Park.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {p.code for p in parks})
    if unknown:
        raise ValidationError({"park": f"No park with code {', '.join(unknown)}."})
    user = User(username=username, email=email, role=role)
    validate_password(password, user)
    user.set_password(password)
    # PSEB staff run the admin site; park managers work in the portal's own pages.
    user.is_staff = user.is_superuser = role == Role.PSEB
    user.save()
    ParkManagerAssignment.objects.bulk_create(
        ParkManagerAssignment(user=user, park=park) for park in parks
    )
    return user


def user_signup(*, username: str, email: str, password: str) -> User:
    """Self sign-up (domain.md §1): a company user with no company yet."""
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
    return user
