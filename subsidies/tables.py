"""The billing lists as tables (statements, payments, subsidy schemes): their columns
stated once, for the pages' headers and the CSV and XLSX files (``stp_portal.exports``),
and the rows read for a file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from core.tables import Column, Kind, Row, Table, columns
from core.vocabulary import StatementStatus, WindowAnchor

from .models import Payment, SubsidyScheme

if TYPE_CHECKING:
    from .selectors import StatementWithBalance

CHUNK = 2000

STATEMENT_COLUMNS = columns(
    ("number", "Number"),
    ("company", "Company"),
    ("park", "Park"),
    ("period", "Period", Kind.PERIOD),
    ("issue_date", "Issued", Kind.DATE),
    ("due_date", "Due", Kind.DATE),
    ("net_payable", "Net payable", Kind.MONEY),
    ("credited", "Credited", Kind.MONEY),
    ("paid", "Paid", Kind.MONEY),
    ("balance", "Balance", Kind.MONEY),
    ("status", "Status"),
)

PAYMENT_COLUMNS = columns(
    ("paid_on", "Paid on", Kind.DATE),
    ("statement", "Statement"),
    ("company", "Company"),
    ("park", "Park"),
    ("period", "Period", Kind.PERIOD),
    ("reference", "Reference"),
    ("amount", "Amount", Kind.MONEY),
)

SCHEME_COLUMNS = columns(
    ("name", "Name"),
    ("internet_pct", "Internet %", Kind.DECIMAL),
    ("rent_pct", "Rent %", Kind.DECIMAL),
    ("duration_months", "Months", Kind.COUNT),
    ("valid_from", "Valid from", Kind.DATE),
    ("valid_to", "Valid to", Kind.DATE),
    ("parks", "Parks"),
    ("anchor", "Window from"),
    ("statement_count", "Statements", Kind.COUNT),
)


def columns_for(all_columns: tuple[Column, ...], *, company_user: bool) -> tuple[Column, ...]:
    """A company user's lists have no Company column (they see their own company only)."""
    if not company_user:
        return all_columns
    return tuple(column for column in all_columns if column.key != "company")


def statement_table(
    statements: QuerySet[StatementWithBalance], *, company_user: bool = False
) -> Table:
    """The statements list's rows (``selectors.statements_list``, filtered) with their
    balance and status, as plain values: one query per 2,000 statements."""

    def rows() -> Iterator[Row]:
        values = statements.values_list(
            "number", "company__name", "park__name", "period", "issue_date", "due_date",
            "net_payable", "credited", "paid", "balance", "status",
        )  # fmt: skip
        keys = [column.key for column in STATEMENT_COLUMNS]
        for row in values.iterator(chunk_size=CHUNK):
            cells = dict(zip(keys, row, strict=True))
            cells["status"] = StatementStatus(cells["status"]).label
            yield cells

    return Table(
        columns_for(STATEMENT_COLUMNS, company_user=company_user), rows(), title="Statements"
    )


def payment_table(payments: QuerySet[Payment], *, company_user: bool = False) -> Table:
    """The payments list's rows (``selectors.payments_list``, filtered), as plain values:
    one query per 2,000 payments."""

    def rows() -> Iterator[Row]:
        values = payments.values_list(
            "paid_on", "statement__number", "statement__company__name", "statement__park__name",
            "statement__period", "reference", "amount",
        )  # fmt: skip
        keys = [column.key for column in PAYMENT_COLUMNS]
        for row in values.iterator(chunk_size=CHUNK):
            yield dict(zip(keys, row, strict=True))

    return Table(columns_for(PAYMENT_COLUMNS, company_user=company_user), rows(), title="Payments")


def scheme_table(schemes: QuerySet[SubsidyScheme]) -> Table:
    """The subsidy schemes with their parks ("All parks" when none is named) and the number
    of statements that used each: two queries per 2,000 schemes."""

    def rows() -> Iterator[Row]:
        annotated = schemes.prefetch_related("parks").annotate(statement_count=Count("statements"))
        for scheme in annotated.iterator(chunk_size=CHUNK):
            codes = [park.code for park in scheme.parks.all()]
            yield {
                "name": scheme.name,
                "internet_pct": scheme.internet_pct,
                "rent_pct": scheme.rent_pct,
                "duration_months": scheme.duration_months,
                "valid_from": scheme.valid_from,
                "valid_to": scheme.valid_to,
                "parks": ", ".join(codes) if codes else "All parks",
                "anchor": WindowAnchor(scheme.anchor).label,
                "statement_count": scheme.statement_count,
            }

    return Table(SCHEME_COLUMNS, rows(), title="Subsidy schemes")
