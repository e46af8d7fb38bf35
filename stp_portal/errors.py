"""Errors the services raise, shared by pages and API.

Bad input is Django's ``ValidationError`` (400 with field messages); a request that clashes
with the current state is a ``Conflict`` (409); a role that may not act on an object it can
see is ``PermissionDenied`` (403). Objects outside a user's scope never get this far: the
scoped selectors answer 404.
"""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The request conflicts with the state of the data (API: 409)."""


class TransitionNotAllowed(Conflict):
    """The application's state does not allow this action."""


class UnitAlreadyLeased(Conflict):
    """A unit is let for some of the dates asked."""
