"""Statement PDFs and e-mail (domain.md §6): each statement's PDF is rendered and stored
once, then e-mailed once to the company's owners; the worker does both, in batches."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.utils import timezone

from .. import tasks
from ..models import Statement, statement_pdf_path
from ..notifications import statement_issued

logger = logging.getLogger(__name__)

RENDER_BATCH = 50  # statements one render task takes


def statements_deliver(statement_ids: Sequence[int]) -> None:
    """Send statements to the worker to render and e-mail, ``RENDER_BATCH`` to a task.

    Call it once the statements are committed (``transaction.on_commit``) or from a task.
    Rendering and e-mail are each done once, so a statement sent twice is harmless.
    """
    ids = list(statement_ids)
    for start in range(0, len(ids), RENDER_BATCH):
        tasks.render_statements.delay(ids[start : start + RENDER_BATCH])


def statements_render(statement_ids: Sequence[int]) -> list[int]:
    """Render and store the PDF of each statement that has none yet; answer those rendered.

    The PDF is stored once: a statement that has one keeps it.
    """
    # WeasyPrint loads only where statements are rendered (the worker), not in every web
    # process that imports the services.
    from ..pdf import renderer

    rendered = []
    for statement in (
        Statement.objects.filter(pk__in=statement_ids, pdf="")
        .select_related("company", "park", "scheme", "supplements", "snapshot")
        .prefetch_related("lines", "company__subsidy_windows")  # for no_subsidy_reason
        .order_by("pk")
    ):
        try:
            content = renderer().render(statement)
        except Exception:  # one bad statement must not hold back the others' PDFs
            logger.exception("The PDF of statement %s could not be rendered", statement.number)
            continue
        name = statement.pdf.storage.save(statement_pdf_path(statement, ""), ContentFile(content))
        if Statement.objects.filter(pk=statement.pk, pdf="").update(pdf=name):
            rendered.append(statement.pk)
        else:  # another worker stored it first
            statement.pdf.storage.delete(name)
    return rendered


def statement_email(statement_id: int) -> int:
    """E-mail the statement's PDF to the company's owner(s), once."""
    claimed = (
        Statement.objects.filter(pk=statement_id, emailed_at__isnull=True)
        .exclude(pdf="")
        .update(emailed_at=timezone.now())
    )
    if not claimed:
        return 0
    try:
        return statement_issued(statement_id)
    except Exception:
        Statement.objects.filter(pk=statement_id).update(emailed_at=None)
        raise
