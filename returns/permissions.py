"""Who may file progress returns (domain.md §4a): the company's owner or a member. PSEB
staff and park managers read returns but never file them for a company."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.permissions import OK, Verdict, refuse, rule

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Company


@rule("file_return")
def can_file_return(user: User, company: Company) -> Verdict:
    if not user.is_authenticated or not user.is_company_user:
        return refuse("Only the company's own users file its progress returns.")
    if not any(m.company_id == company.pk for m in user.memberships.all()):
        return refuse("Only the company's own users file its progress returns.")
    return OK
