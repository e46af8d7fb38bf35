"""E-mails about applications, leases and invitations. Plain text, rendered from templates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import cast

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string

from accounts.models import User
from core.calendar import long_date

from . import lifecycle
from .domain import TRANSITIONS
from .models import Application, ApplicationTransition, Invitation, Lease


def _people_concerned(company_id: int, park_id: int) -> list[str]:
    """The company's users and the park's managers, each once."""
    emails = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(memberships__company_id=company_id)
        .values_list("email", flat=True)
    )
    managers = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(park_assignments__park_id=park_id)
        .values_list("email", flat=True)
    )
    return sorted(set(emails) | set(managers))


def _send(subject: str, template: str, context: dict, to: list[str]) -> int:
    if not to:
        return 0
    body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    # Each person gets their own message: no one sees the others' addresses.
    messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in to]
    return get_connection().send_messages(messages) or 0


def application_transition(transition_id: int) -> int:
    transition = ApplicationTransition.objects.select_related(
        "application__company", "application__park", "application__lease", "actor"
    ).get(pk=transition_id)
    application = transition.application
    step = TRANSITIONS.get(transition.action)
    subject = step.subject if step else transition.get_to_status_display().lower()
    return _send(
        f"Application #{application.pk} to {application.park.name}: {subject}",
        "emails/application_transition.txt",
        {
            "transition": transition,
            "application": application,
            "told": _told(transition, application),
            "comment_label": step.comment_label if step else "Comment",
        },
        _people_concerned(application.company_id, application.park_id),
    )


def _told(transition: ApplicationTransition, application: Application) -> str:
    """The e-mail's sentence about the step (the workflow's wording, tenants.domain)."""
    step = TRANSITIONS.get(transition.action)
    if step is None:
        return ""
    lease = application.lease
    starts = f": lease #{lease.pk} starts on {long_date(lease.start_date)}" if lease else ""
    return step.told.format(actor=transition.actor.get_username(), lease=starts)


def lease_terminated(lease_id: int, credit_note_ids: Sequence[int] = ()) -> int:
    """The lease's end, and the credit notes it caused on months already billed (which
    billing reads back for it: ``tenants.lifecycle``)."""
    lease = Lease.objects.select_related("company", "park").get(pk=lease_id)
    credit_notes = lifecycle.credits(lease=lease, ids=list(credit_note_ids))
    ended = cast("date", lease.end_date)  # a terminated lease has its end (lease_terminate)
    return _send(
        f"Lease #{lease.pk} at {lease.park.name} ends on {long_date(ended)}",
        "emails/lease_terminated.txt",
        {"lease": lease, "credit_notes": credit_notes},
        _people_concerned(lease.company_id, lease.park_id),
    )


def invitation(invitation_id: int, token: str) -> int:
    invitation = Invitation.objects.select_related("company", "invited_by").get(pk=invitation_id)
    return _send(
        f"Join {invitation.company.name} on the STP Portal",
        "emails/invitation.txt",
        {"invitation": invitation, "token": token},
        [invitation.email],
    )
