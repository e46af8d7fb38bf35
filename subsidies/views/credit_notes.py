"""A credit note's page and its PDF (domain.md §6, §7.2), for whoever sees its statement."""

from __future__ import annotations

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from stp_portal.downloads import pdf_download

from ..selectors import credit_note_detail


@login_required
@require_GET
def credit_note_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(credit_note_detail(request.user), pk=pk)
    return render(
        request,
        "subsidies/credit_note_detail.html",
        {"note": note, "statement": note.statement, "lines": list(note.lines.all())},
    )


@login_required
@require_GET
def credit_note_pdf(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Rendered when asked (nothing stored): a credit note and its lines never change."""
    from ..pdf import renderer  # WeasyPrint: loaded only when a PDF is asked for

    note = get_object_or_404(credit_note_detail(request.user), pk=pk)
    content = renderer().render_credit_note(note)
    return pdf_download(BytesIO(content), f"{note.number}.pdf")
