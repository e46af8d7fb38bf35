"""Files handed back to the user: stored PDFs (supporting documents, statements) and CSV
exports."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

# A stored PDF is opened as an attachment, never as a page of the portal; if a browser still
# renders it, the sandbox gives it no script, no form, no plugin and no origin of ours.
SANDBOX_POLICY = "sandbox; default-src 'none'"


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


class _Echo:
    """A file-like object whose write() hands the line back, for a streamed CSV."""

    def write(self, value: str) -> str:
        return value


def csv_text(value: Any) -> str:
    """A text cell of a CSV export: text a spreadsheet would read as a formula is quoted
    (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_download(rows: Iterable[Sequence[Any]], name: str) -> StreamingHttpResponse:
    """Rows streamed as a CSV attachment ``<name>-<today>.csv``, never held whole in memory.
    Callers pass text cells through ``csv_text``."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
