"""Pages of companies, applications and leases. Thin: scoped selectors in, services out.

Every object is looked up through a selector scoped to the user, so anything outside their
scope answers 404; role refusals (PermissionDenied) answer 403; state conflicts come back as
a message on the page and change nothing. By feature: ``companies`` (profiles, members,
invitations), ``applications`` (the list, the workflow, approval), ``drafts`` (a draft's edit
page and its documents) and ``leases``.
"""

from .applications import (
    application_approve,
    application_create,
    application_export,
    application_list,
    application_transition,
    application_view,
)
from .companies import (
    company_create,
    company_detail,
    company_edit,
    company_home,
    company_invite,
    invitation_accept,
)
from .drafts import application_edit, document_delete, document_download, document_upload
from .leases import lease_detail, lease_export, lease_list, lease_terminate

__all__ = [
    "application_approve",
    "application_create",
    "application_edit",
    "application_export",
    "application_list",
    "application_transition",
    "application_view",
    "company_create",
    "company_detail",
    "company_edit",
    "company_home",
    "company_invite",
    "document_delete",
    "document_download",
    "document_upload",
    "invitation_accept",
    "lease_detail",
    "lease_export",
    "lease_list",
    "lease_terminate",
]
