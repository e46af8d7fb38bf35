"""What a person or a client sends to file a progress return, read for the rules (§4a).

The figures' checks and their messages are ``returns.domain.figure_problems``'s alone: the
form and the API only turn what was typed or sent into numbers where it plainly is one, and
hand anything else on unchanged for the rules to name. So the page and the API say the same
thing about the same figure, and every problem comes back at once.

Also here, stated once for the form, the return's page and the API schema: how the figures
are grouped, and what each asks for; how a quarter is written; and which version an
amendment corrects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from core.calendar import QUARTER_PATTERN
from core.money import MONEY_WHOLE_DIGITS
from core.tables import Kind

from .domain import COUNT_FIELDS, MONEY_FIELDS, ReturnFigures
from .models import ProgressReturn
from .selectors import versions_of

# --- The figures: groups and what each asks for ------------------------------------------------
FIGURE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "People",
        (
            "employees",
            "employees_women",
            "in_park",
            "in_park_women",
            "new_hires",
            "new_hires_women",
            "interns",
        ),
    ),
    ("Money", ("export_earnings_usd", "domestic_revenue_pkr")),
    ("Markets", ("foreign_clients", "export_markets")),
)
FIGURE_HELP = {
    "employees": "Everyone employed on the quarter's last day, wherever they work.",
    "employees_women": "Of all employees, how many are women.",
    "in_park": "Of all employees, how many work from the park.",
    "in_park_women": "Of those working from the park, how many are women.",
    "new_hires": "People who joined during the quarter.",
    "new_hires_women": "Of the new hires, how many are women.",
    "interns": "Interns or trainees during the quarter (not counted as employees).",
    "export_earnings_usd": "Export earnings received in the quarter, in US dollars.",
    "domestic_revenue_pkr": "Revenue from clients in Pakistan in the quarter, in rupees.",
    "foreign_clients": "Clients abroad served during the quarter.",
    "export_markets": "The main countries you export to, separated by commas.",
}


def figure_kind(name: str) -> Kind:
    """How a figure is shown and written to a file: a count, money, or text."""
    if name in COUNT_FIELDS:
        return Kind.COUNT
    return Kind.MONEY if name in MONEY_FIELDS else Kind.TEXT


MONEY_PATTERN = rf"^[0-9]{{1,{MONEY_WHOLE_DIGITS}}}(\.[0-9]{{1,2}})?$"

# A quarter as the API writes it: ``core.calendar.QUARTER_PATTERN``.
QUARTER_HELP = "A fiscal quarter written YYYY-YY Qn, e.g. 2026-27 Q2 (October–December 2026)."
QUARTER_SCHEMA = {
    "type": "string",
    "pattern": QUARTER_PATTERN,
    "example": "2026-27 Q2",
    "description": QUARTER_HELP,
}


# --- Figures as typed or sent --------------------------------------------------------------------
_COUNT = re.compile(r"-?[0-9]+")
# An amount as a person types it ("12.", ".5", " 1,200 " too) …
_TYPED_AMOUNT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# … and as a client sends it: MONEY_PATTERN's form exactly, but for a sign and any number of
# digits, read so that the rules name what is wrong (negative, too large, too many decimals).
_SENT_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def as_count(value: Any, *, typed: bool) -> Any:
    """A count: a whole number as is; ``typed`` (a form's text): "1,200" is 1200. Anything
    else is handed on for the rules to refuse."""
    if isinstance(value, str) and typed:
        text = value.strip().replace(",", "").replace(" ", "")
        if _COUNT.fullmatch(text):
            # Past 18 digits a count is beyond any limit (and int() refuses thousands of them).
            return int(text[:19])
        return value if text else None
    return value


def as_money(value: Any, *, typed: bool) -> Any:
    """An amount: "12500.00" (and a JSON number) as a Decimal; ``typed``: " 12,500." too.
    Anything else is handed on for the rules to refuse. Sent (the API), an amount the rules
    accept is exactly one ``MONEY_PATTERN`` allows (or a JSON number)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # 1e16 as 1E+16 (too large), not str()'s "1e+16"
    if not isinstance(value, str):
        return value
    if typed:
        text = value.strip().replace(",", "").replace(" ", "")
        if not _TYPED_AMOUNT.fullmatch(text):
            return value if text else None
    elif not _SENT_AMOUNT.fullmatch(text := value):
        return value if text else None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern lets through only numbers
        return value


def figures_from(data: Mapping[str, Any], *, typed: bool) -> ReturnFigures:
    """The figures ``data`` holds, each read as well as it can be (missing ones as None):
    ``returns.domain.figure_problems`` names what is wrong with them."""
    values: dict[str, Any] = {}
    for name in ReturnFigures.names():
        value = data.get(name)
        if name in COUNT_FIELDS:
            values[name] = as_count(value, typed=typed)
        elif name in MONEY_FIELDS:
            values[name] = as_money(value, typed=typed)
        else:  # the markets: text, or nothing (a field of its own refuses anything else)
            values[name] = value if isinstance(value, str) else ""
    return ReturnFigures(**values)


# --- Which version an amendment corrects ---------------------------------------------------------
LARGEST_VERSION = 32767  # ProgressReturn.version is a PositiveSmallIntegerField


def version_seen(current: ProgressReturn, number: int | None) -> ProgressReturn:
    """The version a person (or client) amends: the one numbered ``number`` they read, or the
    current one when they name none. Amending one that is no longer the latest is refused by
    ``progress_return_amend`` (409): the new figures were written against an older state."""
    if number is None or number == current.version:
        return current
    seen = versions_of(current).filter(version=number).first()
    if seen is None:
        raise ValidationError(
            {"version": f"This return has no version {number}: its latest is {current.version}."}
        )
    return seen
