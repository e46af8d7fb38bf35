"""The reminder e-mails about a progress return not filed (domain.md §4a), in plain text
from templates/emails/: its subject and body per kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from core.vocabulary import ReminderKind

if TYPE_CHECKING:
    from .models import ReturnReminder

TEMPLATES = {
    ReminderKind.BEFORE_DUE: "emails/return_due_soon",
    ReminderKind.OVERDUE: "emails/return_overdue",
}


def return_reminder(reminder: ReturnReminder, *, key: str, to: list[str]) -> int:
    """Sends ``reminder`` (company, park and quarter read with it) to each address in ``to``,
    one message each; answers how many went. ``key`` is the owed return's, for the link."""
    if not to:
        return 0
    template = TEMPLATES[ReminderKind(reminder.kind)]
    quarter = reminder.quarter
    context = {
        "company": reminder.company,
        "park": reminder.park,
        "quarter": quarter.label,
        "due_date": quarter.due_date,
        "link": settings.SITE_URL + reverse("returns:detail", kwargs={"key": key}),
    }
    # A subject is one line whatever the template's line ends.
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    # Each owner gets their own message: no one sees the others' addresses.
    messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in to]
    return get_connection().send_messages(messages) or 0
