"""Reading statement PDFs back (pages, text, WeasyPrint's layout), and issuing a statement
as the renderer loads it, for test_pdf.py."""

import re
import zlib
from datetime import date
from io import BytesIO

from pypdf import PdfReader
from weasyprint.formatting_structure import boxes

from core.calendar import Period
from subsidies import services
from subsidies.models import Statement

MARCH = Period(2026, 3)


ISSUED_ON = date(2026, 4, 1)


def pdf_page_count(content: bytes) -> int:
    """Pages of a WeasyPrint PDF, read from the bytes: its objects sit in compressed object
    streams, so each stream is inflated before counting the ``/Type /Page`` objects."""
    chunks = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL):
        try:
            chunks.append(zlib.decompress(match[1]))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", chunk)) for chunk in chunks)


def pdf_text(content: bytes) -> str:
    """The text of a PDF, read back with pypdf."""
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def laid_out_text(document) -> str:
    """The text WeasyPrint placed on the pages, from its layout (no PDF reader needed)."""

    def walk(box):
        if isinstance(box, boxes.TextBox):
            yield box.text
        for child in getattr(box, "children", ()):
            yield from walk(child)

    # _page_box is WeasyPrint's layout tree of a page; it is what its own tests inspect.
    # One space between words, whichever line each was laid out on.
    return " ".join(
        " ".join(text for page in document.pages for text in walk(page._page_box)).split()
    )


def issue(park, company, *, period=MARCH, issue_date=ISSUED_ON) -> Statement:
    """Issue the company's statement for the month (the test's transaction holds the locks)."""
    (statement,) = services.statements_issue(
        park=park, period=period, company_ids=[company.pk], issue_date=issue_date
    )
    return loaded(statement.pk)


def loaded(statement_id: int) -> Statement:
    """As services.statements_render loads it."""
    return (
        Statement.objects.select_related("company", "park", "scheme", "snapshot")
        .prefetch_related("lines")
        .get(pk=statement_id)
    )
