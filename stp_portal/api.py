"""API plumbing shared by every app: error mapping and small helpers (api.md conventions).

Services raise Django's errors; here they become the contract's answers: ValidationError →
400 ``{field: [messages]}``, Conflict → 409, PermissionDenied → 403, Http404 → 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict


def _as_fields(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Conflict):
        fields = _as_fields(exc)
        detail = " ".join(m for messages in fields.values() for m in messages)
        return Response({"detail": detail, **fields}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(_as_fields(exc), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
