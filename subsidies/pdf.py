"""Statement PDFs (domain.md §6): one template, one stylesheet, local fonts, no network.

A worker renders thousands of statements a month. Parsing the stylesheet and registering
its ``@font-face`` fonts with Fontconfig (which copies them to a temporary folder) would
cost a fifth of each statement's CPU time and more of its wall time, so each process does
it once, in the ``StatementRenderer`` that ``renderer()`` answers, and every statement
reuses them (figures in docs/performance.md).

Everything a statement needs is a local file under the static folder (the stylesheet, the
DejaVu fonts, the logo) or inline (the QR code, an SVG in the HTML). The URL fetcher serves
those files and refuses anything else, so a template change can never make a worker wait on
the network or leak a statement's address to a third party.
"""

from __future__ import annotations

import functools
import mimetypes
import os
import threading
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse, path2url

from core.vocabulary import LineKind

from .iban import iban_grouped

# Shared with the statement page. It lives there rather than here because this module loads
# WeasyPrint, which the web process should not import just to explain a missing subsidy.
from .selectors import no_subsidy_reason

if TYPE_CHECKING:
    from weasyprint.document import Document

    from .models import CreditNote, Receipt, Statement, StatementSnapshot

TEMPLATE = "subsidies/statement_pdf.html"
CREDIT_NOTE_TEMPLATE = "subsidies/credit_note_pdf.html"
RECEIPT_TEMPLATE = "subsidies/receipt_pdf.html"
STYLESHEET = "subsidies/statement_pdf.css"
ISSUER = "Pakistan Software Export Board — Software Technology Parks"
SUBSIDY_KINDS = frozenset({LineKind.RENT_SUBSIDY, LineKind.INTERNET_SUBSIDY})


class StatementRenderError(Exception):
    """A statement could not be rendered (a refused or missing asset, a broken template)."""


class RefusedURL(ValueError):
    """An asset outside the static folder, or anything not a local file."""


def static_root() -> Path:
    """The static folder holding the stylesheet, whose ``../fonts`` it loads."""
    found = finders.find(STYLESHEET)
    if not found:
        raise ImproperlyConfigured(f"Static file {STYLESHEET} not found.")
    return Path(found).resolve().parent.parent


class LocalFileFetcher(URLFetcher):
    """Serves files under ``root`` and refuses every other URL: no network, ever."""

    def __init__(self, root: Path) -> None:
        # A refused or missing asset stops the rendering instead of quietly falling back to
        # some system font: a statement renders as designed or not at all.
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"Statement PDFs use local files only; refused {url[:200]!r}.")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedURL(f"Not a file of the static folder; refused {url[:200]!r}.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path2url(str(path)), path.read_bytes(), {"Content-Type": content_type}
        )


def money(amount: Decimal) -> str:
    """PKR as printed on statements: thousands separated, two decimals (``-8,225.81``)."""
    return f"{amount + 0:,.2f}"  # + 0 turns a -0.00 into 0.00


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG with its quiet zone, sized by the stylesheet."""
    return segno.make(url, error="m").svg_inline(omitsize=True, dark="#000")


def statement_context(statement: Statement, *, stylesheet_url: str = "") -> dict[str, Any]:
    """What the template shows; ``statement`` comes with its company, park, scheme and lines
    already loaded (``services.statements_render``), so rendering a subsidised statement
    makes no query. One without a scheme reads the company's subsidy windows to say why it
    has no subsidy: one query, none if ``company__subsidy_windows`` was prefetched."""
    lines = [
        {
            "position": line.position,
            "description": line.description,
            "amount": money(line.amount),
            "subsidy": line.kind in SUBSIDY_KINDS,
        }
        for line in statement.lines.all()
    ]
    window_last_day = statement.window_last_day
    url = statement.verification_url
    snapshot = snapshot_of(statement)
    return {
        "statement": statement,
        "issuer": ISSUER,
        "company": statement.company,
        "park": statement.park,
        "scheme": statement.scheme,
        "window_first_day": statement.window_start if window_last_day else None,
        "window_last_day": window_last_day,
        "no_subsidy_reason": "" if statement.scheme_id else no_subsidy_reason(statement),
        "lines": lines,
        "gross": money(statement.gross),
        "subsidy_total": money(statement.subsidy_total),
        "net_payable": money(statement.net_payable),
        "verification_url": url,
        "qr_svg": mark_safe(qr_svg(url)),  # noqa: S308 - segno's SVG of our own URL
        "account": _account(snapshot) if snapshot else None,
        "stylesheet_url": stylesheet_url,
    }


def snapshot_of(statement: Statement) -> StatementSnapshot | None:
    """The account figures stored at issue, or None for a statement issued before they were
    (its PDF then shows its own figures only, as issued)."""
    try:
        return statement.snapshot
    except ObjectDoesNotExist:
        return None


def _account(snapshot: StatementSnapshot) -> dict[str, Any]:
    return {
        "previous_balance": money(snapshot.previous_balance),
        "payments_since": money(-snapshot.payments_since),
        "total_due": money(snapshot.total_due),
        "arrears": snapshot.previous_balance - snapshot.payments_since > 0,
        "paid_since": snapshot.payments_since > 0,
        "bank_name": snapshot.bank_name,
        "account_title": snapshot.account_title,
        "iban": snapshot.iban,
        "iban_grouped": iban_grouped(snapshot.iban) if snapshot.iban else "",
        "reference": snapshot.reference,  # reference_to_quote's, at issue
    }


def statement_html(statement: Statement, *, standalone: bool = True) -> str:
    """The statement's HTML. Standalone, it links its stylesheet (relative to
    ``renderer().base_url``) so bare WeasyPrint renders the same page; the renderer passes
    its parsed stylesheet instead."""
    context = statement_context(statement, stylesheet_url=STYLESHEET if standalone else "")
    return render_to_string(TEMPLATE, context)


def credit_note_context(note: CreditNote, *, stylesheet_url: str = "") -> dict[str, Any]:
    """What the credit note's template shows; ``note`` comes with its statement, company,
    park, lease and lines loaded (``selectors.credit_note_detail``): no query."""
    statement = note.statement
    return {
        "note": note,
        "statement": statement,
        "issuer": ISSUER,
        "company": statement.company,
        "park": statement.park,
        "lines": [
            {
                "position": line.position,
                "kind": line.get_kind_display(),
                "unit": line.unit_code,
                "description": line.description,
                "amount": money(line.amount),
                "subsidy": line.kind in SUBSIDY_KINDS,
            }
            for line in note.lines.all()
        ],
        "amount": money(note.amount),
        "stylesheet_url": stylesheet_url,
    }


def credit_note_html(note: CreditNote, *, standalone: bool = True) -> str:
    """The credit note's HTML (see ``statement_html``)."""
    context = credit_note_context(note, stylesheet_url=STYLESHEET if standalone else "")
    return render_to_string(CREDIT_NOTE_TEMPLATE, context)


def receipt_context(receipt: Receipt, *, stylesheet_url: str = "") -> dict[str, Any]:
    """What the receipt's template shows; ``receipt`` comes with its company, park and
    payments with their statements (``selectors.receipt_detail``): no query."""
    return {
        "receipt": receipt,
        "issuer": ISSUER,
        "company": receipt.company,
        "park": receipt.park,
        "lines": [
            {
                "number": payment.statement.number,
                "period": payment.statement.period,
                "amount": money(payment.amount),
                # As it stood when the payment was recorded: a receipt never changes.
                "settled": payment.left_to_pay is not None and payment.left_to_pay <= 0,
                "left_to_pay": payment.left_to_pay,
            }
            for payment in receipt.payments.all()
        ],
        "amount": money(receipt.amount),
        "stylesheet_url": stylesheet_url,
    }


def receipt_html(receipt: Receipt, *, standalone: bool = True) -> str:
    """The receipt's HTML (see ``statement_html``)."""
    context = receipt_context(receipt, stylesheet_url=STYLESHEET if standalone else "")
    return render_to_string(RECEIPT_TEMPLATE, context)


class StatementRenderer:
    """Renders statements (and credit notes) with one font configuration and one parsed
    stylesheet.

    Built once per process (``renderer()``). Rendering is serialised by a lock: WeasyPrint
    and Fontconfig objects are not documented as thread-safe, and a Celery prefork worker
    runs one task per process anyway.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or static_root()).resolve()
        self.base_url = path2url(str(self.root))
        if not self.base_url.endswith("/"):
            self.base_url += "/"
        self.url_fetcher = LocalFileFetcher(self.root)
        self.font_config = FontConfiguration()
        self._lock = threading.Lock()
        try:
            self.stylesheets = [
                CSS(
                    filename=str(self.root / STYLESHEET),
                    url_fetcher=self.url_fetcher,
                    font_config=self.font_config,
                )
            ]
        except FatalURLFetchingError as exc:
            raise StatementRenderError(str(exc.__cause__ or exc)) from exc

    def document(self, statement: Statement) -> Document:
        """The laid-out pages of one statement (tests count them and read their text)."""
        return self._document(statement_html(statement, standalone=False))

    def credit_note_document(self, note: CreditNote) -> Document:
        """The laid-out pages of one credit note."""
        return self._document(credit_note_html(note, standalone=False))

    def _document(self, text: str) -> Document:
        html = HTML(string=text, base_url=self.base_url, url_fetcher=self.url_fetcher)
        try:
            return html.render(font_config=self.font_config, stylesheets=self.stylesheets)
        except FatalURLFetchingError as exc:  # a BaseException: keep it catchable
            raise StatementRenderError(str(exc.__cause__ or exc)) from exc

    def receipt_document(self, receipt: Receipt) -> Document:
        """The laid-out pages of one receipt."""
        return self._document(receipt_html(receipt, standalone=False))

    def render_receipt(self, receipt: Receipt) -> bytes:
        """The PDF of one receipt: rendered when asked, from data that never changes."""
        with self._lock:
            return self.receipt_document(receipt).write_pdf()

    def render(self, statement: Statement) -> bytes:
        """The PDF of one statement."""
        with self._lock:
            return self.document(statement).write_pdf()

    def render_credit_note(self, note: CreditNote) -> bytes:
        """The PDF of one credit note: rendered when asked, from data that never changes."""
        with self._lock:
            return self.credit_note_document(note).write_pdf()


@functools.cache
def _renderer_of_process(pid: int) -> StatementRenderer:
    return StatementRenderer()


def renderer() -> StatementRenderer:
    """This process's renderer. Keyed by process id: a renderer built before a fork (its
    Fontconfig state and temporary font folder) is never shared with the children."""
    return _renderer_of_process(os.getpid())
