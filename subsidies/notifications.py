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


def receipt_issued(receipt_id: int) -> int:
    """The receipt e-mail: to the company's owner(s), its PDF attached (rendered here: a
    receipt never changes, so nothing is stored)."""
    from .pdf import renderer
    from .selectors import receipt_detail_rows

    receipt = receipt_detail_rows().get(pk=receipt_id)
    owners = owner_emails(receipt.company_id)
    if not owners:
        return 0
    content = renderer().render_receipt(receipt)
    body = render_to_string(
        "emails/receipt_issued.txt", {"receipt": receipt, "site_url": settings.SITE_URL}
    )
    messages = []
    for address in owners:
        message = EmailMessage(
            subject=f"Receipt {receipt.number}: {receipt.amount:,.2f} received, "
            f"{receipt.park.name}",
            body=body,
            to=[address],
        )
        message.attach(f"{receipt.number}.pdf", content, "application/pdf")
        messages.append(message)
    return get_connection().send_messages(messages) or 0
