"""API shapes of progress returns (api.md "Progress returns").

Out: one shape for an owed return (with its current version's figures, or none yet) and for
one filed version of it (``?versions=all``). In: the figures to file or amend a return.

The figure fields are made from the one statement of them (``ReturnFigures.names()``, the
model's verbose names, ``returns.inputs``' help). Their inputs take what is sent as it is,
for ``returns.domain.figure_problems`` to judge: so the API and the pages give the same
messages, and every problem comes back at once (400 ``{field: [messages]}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.calendar import FiscalQuarter, quarter_from_text
from core.drf import StrictCharField
from core.money import MONEY_FIELD
from core.vocabulary import ReturnStatus
from parks.models import Park
from tenants.filters import MAX_ID

from .domain import (
    COUNT_FIELDS,
    LARGEST_COUNT,
    MONEY_FIELDS,
    REASON_MAX_LENGTH,
    ReturnFigures,
    figure_problems,
)
from .forms import figure_label
from .inputs import (
    FIGURE_HELP,
    LARGEST_VERSION,
    MONEY_PATTERN,
    QUARTER_HELP,
    QUARTER_SCHEMA,
    as_count,
    as_money,
    figures_from,
)
from .models import ProgressReturn, Quarter
from .selectors import owed_key

if TYPE_CHECKING:
    from .tables import OwedWithStatus


# --- Out -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReturnRow:
    """What the API shows of a return: an owed return, or one filed version of it (then
    ``current`` is that version, and ``status`` filed)."""

    pk: str
    company_id: int
    park_id: int
    quarter: Quarter
    status: str
    current: ProgressReturn | None

    @classmethod
    def of_owed(cls, owed: OwedWithStatus) -> ReturnRow:
        return cls(owed.pk, owed.company_id, owed.park_id, owed.quarter, owed.status, owed.current)

    @classmethod
    def of_version(cls, version: ProgressReturn) -> ReturnRow:
        key = owed_key(version.company_id, version.park_id, version.quarter_id)
        return cls(
            key, version.company_id, version.park_id, version.quarter, ReturnStatus.FILED, version
        )


def _figure_out(name: str) -> serializers.Field:
    options: dict[str, Any] = {
        "source": f"current.{name}",
        "read_only": True,
        "allow_null": True,
        "help_text": f"{figure_label(name)}: {FIGURE_HELP[name]} Null until filed.",
    }
    if name in MONEY_FIELDS:
        return serializers.DecimalField(**MONEY_FIELD, **options)
    if name in COUNT_FIELDS:
        return serializers.IntegerField(**options)
    return serializers.CharField(**options)


class _ReturnOut(serializers.Serializer):
    id = serializers.CharField(
        source="pk",
        read_only=True,
        help_text='The return\'s key, "<company>-<park>-<quarter>" (e.g. "12-3-150"): the '
        "same whether it is filed or not, and for every version of it.",
    )
    company = serializers.IntegerField(source="company_id", read_only=True)
    park = serializers.IntegerField(source="park_id", read_only=True)
    quarter = serializers.CharField(source="quarter.label", read_only=True, help_text=QUARTER_HELP)
    due_date = serializers.DateField(source="quarter.due_date", read_only=True)
    status = serializers.ChoiceField(choices=ReturnStatus.choices, read_only=True)
    version = serializers.IntegerField(source="current.version", read_only=True, allow_null=True)
    filed_at = serializers.DateTimeField(source="current.filed_at", read_only=True, allow_null=True)


# The figures after the return's own fields, then why the version was filed.
ProgressReturnSerializer = type(
    "ProgressReturnSerializer",
    (_ReturnOut,),
    {
        **{name: _figure_out(name) for name in ReturnFigures.names()},
        "reason": serializers.CharField(
            source="current.reason",
            read_only=True,
            allow_null=True,
            help_text="Why this version amends the one before (empty for a first version).",
        ),
        "__doc__": "A progress return (domain.md §4a): an owed return with its current "
        "version's figures, or (``?versions=all``) one filed version.",
    },
)


# --- In ------------------------------------------------------------------------------------------
@extend_schema_field({"type": "integer", "minimum": 0, "maximum": LARGEST_COUNT})
class CountInput(serializers.Field):
    """A count as sent: a whole number, judged by the rules (``count_problem``)."""

    def to_internal_value(self, data: Any) -> Any:
        return as_count(data, typed=False)


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": MONEY_PATTERN, "example": "12500.00"}
)
class MoneyInput(serializers.Field):
    """An amount as sent ("12500.00"), judged by the rules (``money_problem``)."""

    def to_internal_value(self, data: Any) -> Any:
        return as_money(data, typed=False)


@extend_schema_field(QUARTER_SCHEMA)
class QuarterInput(serializers.Field):
    def to_internal_value(self, data: Any) -> FiscalQuarter:
        try:
            return quarter_from_text(data, exact=True)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


def _figure_in(name: str) -> serializers.Field:
    help_text = f"{figure_label(name)}: {FIGURE_HELP[name]}"
    if name in COUNT_FIELDS:
        return CountInput(help_text=help_text)
    if name in MONEY_FIELDS:
        return MoneyInput(help_text=f"{help_text} 0.00 or more, at most 2 decimals.")
    return StrictCharField(required=False, allow_blank=True, default="", help_text=help_text)


class _FiguresIn(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Every problem at once: the figures' own (returns.domain) join the fields'.
            if not isinstance(data, Mapping) or not isinstance(exc.detail, dict):
                raise
            problems = {k: [v] for k, v in figure_problems(figures_from(data, typed=False)).items()}
            raise serializers.ValidationError({**problems, **exc.detail}) from exc

    def figures(self) -> ReturnFigures:
        """The figures sent (after is_valid), for the service to judge and file."""
        return ReturnFigures(**{name: self.validated_data[name] for name in ReturnFigures.names()})


def _figures_in() -> dict[str, serializers.Field]:
    return {name: _figure_in(name) for name in ReturnFigures.names()}


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class ParkInput(serializers.Field):
    """A park by its id (parks are public: one that does not exist is a 400)."""

    default_error_messages = {
        "invalid": "Give the park's id, a whole number.",
        "unknown": "No such park.",
    }

    def to_internal_value(self, data: Any) -> Park:
        # A JSON number, as the schema says; not its digits as text.
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        park = Park.objects.filter(pk=data).first() if 1 <= data <= MAX_ID else None
        if park is None:
            self.fail("unknown")
        return park


ReturnFileSerializer = type(
    "ReturnFileSerializer",
    (_FiguresIn,),
    {
        "park": ParkInput(help_text="The park (id) of the lease the return is for."),
        "quarter": QuarterInput(help_text="The quarter the return is for (over, not filed)."),
        **_figures_in(),
        "__doc__": "Files your company's return for a park and quarter it owes.",
    },
)

ReturnAmendSerializer = type(
    "ReturnAmendSerializer",
    (_FiguresIn,),
    {
        "reason": StrictCharField(
            required=False,
            allow_blank=True,
            default="",
            help_text=(
                f"Why the return is amended (required; at most {REASON_MAX_LENGTH:,} characters)."
            ),
        ),
        "version": serializers.IntegerField(
            required=False,
            allow_null=True,
            default=None,
            min_value=1,
            max_value=LARGEST_VERSION,
            help_text="The version you correct (the latest you read). If another version was "
            "filed since, the amendment is refused (409). Leave out to amend the latest.",
        ),
        **_figures_in(),
        "__doc__": "A new version of a filed return, with the reason.",
    },
)
