"""Stored files handed back to the user: supporting documents and statement PDFs."""

from __future__ import annotations

from typing import BinaryIO

from django.http import FileResponse

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
