"""Files handed back to the user: stored PDFs (supporting documents, statements); the CSV
and XLSX exports are ``stp_portal.exports``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, TypeVar

from django.db import connection, transaction
from django.http import FileResponse

# A stored PDF is opened as an attachment, never as a page of the portal; if a browser still
# renders it, the sandbox gives it no script, no form, no plugin and no origin of ours.
SANDBOX_POLICY = "sandbox; default-src 'none'"
T = TypeVar("T")


def pdf_download(handle: BinaryIO, filename: str) -> FileResponse:
    """One stored PDF, downloaded: attachment disposition, no content sniffing, a sandboxing
    Content-Security-Policy, and no cache outside the user's own browser session."""
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def without_statement_timeout(rows: Iterable[T]) -> Iterator[T]:
    """Rows read in one read-only transaction free of the web's statement timeout
    (``DB_STATEMENT_TIMEOUT_MS``): an export of every statement in the country streams for
    a few seconds by design. Its queries start on the first row, inside the transaction."""
    if connection.vendor != "postgresql":
        yield from rows
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
        yield from rows


def csv_text(value: Any) -> str:
    """A text cell of a CSV export: text a spreadsheet would read as a formula is quoted
    (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
