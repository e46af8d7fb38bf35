"""The statement e-mail: to the company's owner(s), with the PDF attached."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string

from tenants.selectors import owner_emails

from .models import Statement


def statement_issued(statement_id: int) -> int:
    statement = Statement.objects.select_related("company", "park").get(pk=statement_id)
    owners = owner_emails(statement.company_id)
    if not owners:
        return 0
    body = render_to_string(
        "emails/statement_issued.txt", {"statement": statement, "site_url": settings.SITE_URL}
    )
    with statement.pdf.open("rb") as handle:
        content = handle.read()
    messages = []
    for address in owners:
        message = EmailMessage(
            subject=f"Statement {statement.number} for {statement.period:%B %Y}, "
            f"{statement.park.name}",
            body=body,
            to=[address],
        )
        message.attach(f"{statement.number}.pdf", content, "application/pdf")
        messages.append(message)
    return get_connection().send_messages(messages) or 0
