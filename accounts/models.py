from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from core.vocabulary import Role


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # The operator's first account is PSEB staff: only they may use the admin site.
        extra_fields.setdefault("role", Role.PSEB)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.COMPANY)
    # Set when the owner of the address followed the link sent to it (sign-up, address change).
    email_verified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar[PortalUserManager] = PortalUserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            # Admin access belongs to PSEB staff alone, whatever edits the row.
            models.CheckConstraint(
                condition=models.Q(role=Role.PSEB) | models.Q(is_staff=False, is_superuser=False),
                name="user_admin_only_pseb",
                violation_error_message="Only PSEB staff may have admin access "
                "(staff or superuser status).",
            ),
        ]

    @property
    def is_pseb_staff(self) -> bool:
        return self.is_active and self.role == Role.PSEB

    @property
    def is_park_manager(self) -> bool:
        return self.is_active and self.role == Role.PARK_MANAGER

    @property
    def is_company_user(self) -> bool:
        return self.is_active and self.role == Role.COMPANY
