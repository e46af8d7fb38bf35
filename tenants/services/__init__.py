"""Writes on tenant data: typed, atomic, validated (conventions.md).

Each service checks the role (PermissionDenied → 403), the workflow state (Conflict → 409)
and the input (ValidationError → 400) before writing anything, and queues its e-mails to
go out only once the transaction has committed. By feature: ``companies`` (profiles and
members), ``applications`` (drafts, documents, the workflow), ``leases``.
"""

from ..inputs import ApplicationInput, CompanyInput
from .applications import (
    EditResult,
    application_approve,
    application_create,
    application_edit,
    application_transition,
    application_update,
    document_add,
    document_remove,
)
from .companies import (
    INVITATION_DAYS,
    company_create,
    company_update,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
)
from .leases import Termination, lease_create, lease_terminate, leases_lock, validate_lease

__all__ = [
    "INVITATION_DAYS",
    "ApplicationInput",
    "CompanyInput",
    "EditResult",
    "Termination",
    "application_approve",
    "application_create",
    "application_edit",
    "application_transition",
    "application_update",
    "company_create",
    "company_update",
    "document_add",
    "document_remove",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_revoke",
    "lease_create",
    "lease_terminate",
    "leases_lock",
    "validate_lease",
]
