"""Supporting documents are PDFs that only show pages (issue 7): each upload is parsed with
pypdf and refused, with the reason, if it does not parse, is encrypted, carries active
content (``tenants.domain.PDF_ACTIVE_CONTENT``) or has another file before or after it."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from .domain import (
    PDF_ENCRYPTED,
    PDF_HEADER_WINDOW,
    PDF_UNREADABLE,
    pdf_active_content_problem,
    pdf_end_problem,
    pdf_problem,
)

# The names that mark active content, as dictionary keys and as values (/S /JavaScript,
# /Subtype /FileAttachment). pypdf decodes hex-escaped names (/J#53 is /JS) when it parses.
_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/EmbeddedFiles": "embedded_file",
    "/RichMediaContent": "rich_media",
    "/XFA": "xfa",
}
_VALUES = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/SubmitForm": "data_action",
    "/ImportData": "data_action",
    "/RichMedia": "rich_media",
    "/EmbeddedFile": "embedded_file",
    "/FileAttachment": "embedded_file",
    "/GoToE": "embedded_file",
    "/GoToR": "remote_action",
}


def validate_pdf_document(upload: File) -> None:
    """Refuse anything but a plain PDF within the size limit, judged by its content, never
    by its name: the header first, nothing after the end, and no active content in any of
    its objects (object streams included)."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    content = upload.read()
    upload.seek(position)
    problem = (
        pdf_problem(content[:PDF_HEADER_WINDOW], upload.size, limit=settings.UPLOAD_MAX_BYTES)
        or pdf_end_problem(content)
        or _content_problem(content)
    )
    if problem:
        raise ValidationError(problem, code="invalid_document")


def _content_problem(content: bytes) -> str | None:
    try:
        reader = PdfReader(BytesIO(content), strict=False)
        if reader.is_encrypted:
            return PDF_ENCRYPTED
        if len(reader.pages) == 0:
            return PDF_UNREADABLE
        found = _active_content(reader)
    # pypdf raises many kinds of errors on a damaged file; each means the same to the user.
    except Exception:
        return PDF_UNREADABLE
    return pdf_active_content_problem(found)


def _active_content(reader: PdfReader) -> set[str]:
    """The kinds of active content in every object the file lists (its cross-reference
    table and its object streams) and in its trailer."""
    pending: list[PdfObject] = [reader.trailer]
    for generation, numbers in reader.xref.items():
        pending += [IndirectObject(number, generation, reader) for number in numbers]
    pending += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    seen: set[tuple[int, int]] = set()
    found: set[str] = set()
    while pending:
        obj: PdfObject | None = pending.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # streams too: their dictionaries
            for key, value in obj.items():
                if key in _KEYS:
                    found.add(_KEYS[key])
                pending.append(value)
        elif isinstance(obj, ArrayObject):
            pending.extend(obj)
        elif isinstance(obj, NameObject) and obj in _VALUES:
            found.add(_VALUES[obj])
    return found
