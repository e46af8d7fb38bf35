from django.core.exceptions import ValidationError
from django.core.files import File

from .domain import PDF_MAGIC, pdf_problem


def validate_pdf_document(upload: File) -> None:
    """Refuse anything but a PDF of acceptable size, by its first bytes, not its name."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(position)
    problem = pdf_problem(head, upload.size)
    if problem:
        raise ValidationError(problem, code="invalid_document")
