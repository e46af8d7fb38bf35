"""API shapes of subsidy schemes and billing (api.md). Outputs, and the small inputs of the
billing calls; writes go through subsidies.services.

Money is a string with two decimals ("32903.23"); a billing period is written ``YYYY-MM``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.calendar import FIRST_YEAR, LAST_YEAR, PERIOD_PATTERN, Period
from core.vocabulary import StatementStatus
from parks.models import Park
from tenants.filters import MAX_ID

from .amounts import amount_maximum, amount_validators
from .forms import INVALID_PERIOD, period_from_text
from .models import (
    MONEY,
    BillingRun,
    Charge,
    CreditNote,
    CreditNoteLine,
    Payment,
    Statement,
    StatementLine,
    SubsidyScheme,
)
from .services.schemes import SCHEME_FIELDS

PERIOD_SCHEMA = {
    "type": "string",
    "pattern": PERIOD_PATTERN,
    "example": "2026-03",
    "description": f"A billing period: one calendar month, YYYY-MM, from {FIRST_YEAR}-01 to "
    f"{LAST_YEAR}-12.",
}


def money(**kwargs: Any) -> serializers.DecimalField:
    """A money field of the models' size: PKR with paisa, rendered as a string."""
    return serializers.DecimalField(**MONEY, **kwargs)


class AmountField(serializers.DecimalField):
    """An amount someone enters, checked by billing's amount rule (``subsidies.amounts``) as
    the pages and the services check it, so each says the same; ``charge``: at most
    ``CHARGE_MAX_AMOUNT``."""

    def __init__(self, *, charge: bool = False, **kwargs: Any) -> None:
        self.charge = charge
        kwargs["validators"] = amount_validators(charge=charge)
        super().__init__(max_digits=None, decimal_places=None, **kwargs)


class AmountFieldSchema(OpenApiSerializerFieldExtension):
    """The amount rule as the schema can state it: a decimal string from 0.01, at most 2
    decimals, and for a charge its maximum (read from the settings when the schema is made)."""

    target_class = AmountField

    def map_serializer_field(self, auto_schema, direction) -> dict[str, Any]:
        maximum = amount_maximum(charge=self.target.charge)
        whole = len(str(int(maximum))) if maximum is not None else MONEY["max_digits"] - 2
        schema: dict[str, Any] = {
            "type": "string",
            "format": "decimal",
            "pattern": rf"^[0-9]{{1,{whole}}}(\.[0-9]{{1,2}})?$",
            "minimum": 0.01,
            "description": "PKR, more than 0.00, at most 2 decimals.",
        }
        if maximum is not None:
            schema["maximum"] = float(maximum)
            schema["description"] = f"PKR, from 0.01 to {maximum:,.2f}, at most 2 decimals."
        if self.target.allow_null:
            schema["nullable"] = True
        return schema


@extend_schema_field(PERIOD_SCHEMA)
class PeriodField(serializers.Field):
    """A month written ``YYYY-MM``; in: a ``Period``; out: the stored first day as YYYY-MM."""

    default_error_messages = {"invalid": INVALID_PERIOD}

    def to_internal_value(self, data: Any) -> Period:
        # Exactly YYYY-MM, as the schema says (pages forgive spaces around it; the API not).
        try:
            period = period_from_text(data, exact=True)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        if period is None:
            self.fail("invalid")
        return period

    def to_representation(self, value: date | Period) -> str:
        return str(value if isinstance(value, Period) else Period.of(value))


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "description": "Park id or code; leave out for every park.",
    }
)
class ParkReferenceField(serializers.Field):
    """A park named by its id or its code (parks are public: an unknown one is a 400)."""

    default_error_messages = {"unknown": "No such park."}

    def to_internal_value(self, data: Any) -> Park:
        text = str(data).strip().lstrip("#") if isinstance(data, str | int) else ""
        # No park has a longer code; and PostgreSQL refuses a NUL in a query.
        if isinstance(data, bool) or not 0 < len(text) <= 20 or "\x00" in text:
            self.fail("unknown")
        if text.isdigit() and len(text) <= 19 and 0 < int(text) <= MAX_ID:
            park = Park.objects.filter(pk=int(text)).first()
        else:
            park = Park.objects.filter(code__iexact=text).first()
        if park is None:
            self.fail("unknown")
        return park

    def to_representation(self, value: Park) -> int:
        return value.pk


# --- Subsidy schemes -----------------------------------------------------------------------------
class SubsidySchemeSerializer(serializers.ModelSerializer):
    parks = serializers.PrimaryKeyRelatedField(
        queryset=Park.objects.all(),
        many=True,
        required=False,
        help_text="Parks covered; empty means every park.",
    )

    class Meta:
        model = SubsidyScheme
        fields = ("id", *SCHEME_FIELDS)
        read_only_fields = ("id",)


# --- Charges -------------------------------------------------------------------------------------
class ChargeSerializer(serializers.ModelSerializer):
    period = PeriodField(read_only=True)
    amount = money(read_only=True)
    statement = serializers.CharField(
        source="statement_number",
        read_only=True,
        allow_null=True,
        help_text="Number of the statement that billed it (a supplementary one for a month "
        "already billed); null until billed.",
    )

    class Meta:
        model = Charge
        fields = ("id", "lease", "period", "description", "amount", "statement", "created_at")


class ChargeInputSerializer(serializers.Serializer):
    lease = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A lease you manage.")
    period = PeriodField()
    description = serializers.CharField(max_length=200)
    amount = AmountField(charge=True)


# --- Billing runs --------------------------------------------------------------------------------
class BillingRunSerializer(serializers.ModelSerializer):
    period = PeriodField(read_only=True)
    park_code = serializers.CharField(
        source="park.code", read_only=True, allow_null=True, default=None
    )
    # A declared field: DRF's metaclass moves it off the class, so Serializer.errors stays.
    errors = serializers.ListField(  # type: ignore[assignment]
        child=serializers.DictField(), read_only=True
    )

    class Meta:
        model = BillingRun
        fields = (
            "id",
            "period",
            "park",
            "park_code",
            "status",
            "total",
            "done",
            "issued",
            "errors",
            "created_at",
            "started_at",
            "finished_at",
            "progress_at",
            "resumed",
        )


class BillingRunInputSerializer(serializers.Serializer):
    period = PeriodField(help_text="The month to bill; it must have ended.")
    park = ParkReferenceField(required=False, allow_null=True, default=None)


# --- Statements ----------------------------------------------------------------------------------
class StatementLineSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit_code", help_text="Unit code; blank for a charge.")
    amount = money(help_text="Negative for a subsidy.")

    class Meta:
        model = StatementLine
        fields = ("kind", "unit", "description", "amount")

    def to_representation(self, instance: StatementLine) -> dict[str, Any]:
        """The declared fields, read directly: a page of 50 statements holds about 220 lines,
        and DRF's per-field lookups were a large part of its time (issue 9). The amount
        goes through its declared field, so it renders exactly as before."""
        return {
            "kind": instance.kind,
            "unit": instance.unit_code,
            "description": instance.description,
            "amount": self.fields["amount"].to_representation(instance.amount),
        }


class PaymentSerializer(serializers.ModelSerializer):
    amount = money()

    class Meta:
        model = Payment
        fields = ("id", "statement", "amount", "paid_on", "reference")


class PaymentInputSerializer(serializers.Serializer):
    amount = AmountField()
    paid_on = serializers.DateField()
    reference = serializers.CharField(
        max_length=100, allow_blank=True, help_text="The bank or receipt reference."
    )


class CreditNoteLineSerializer(StatementLineSerializer):
    """A credit note's line, written as a statement's (api.md): ``{kind, unit, description,
    amount}``."""

    amount = money(help_text="Credited charges positive; a reversed subsidy negative.")

    class Meta(StatementLineSerializer.Meta):
        model = CreditNoteLine  # type: ignore[assignment]


class CreditNoteSerializer(serializers.ModelSerializer):
    amount = money(help_text="The sum of its lines.")
    lines = CreditNoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = CreditNote
        fields = ("id", "number", "statement", "issue_date", "amount", "reason", "lease", "lines")
        extra_kwargs = {
            "lease": {"help_text": "The lease whose earlier end it credits; null if by hand."}
        }


class CreditNoteInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    amount = AmountField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave out to credit everything not yet credited (the statement is void).",
    )


class StatementSerializer(serializers.ModelSerializer):
    """A statement with its lines, payments and credit notes, and its derived balance.

    Read from ``selectors.statement_detail`` (annotated and prefetched): a constant number of
    queries per page whatever its length.
    """

    company_name = serializers.CharField(source="company.name", read_only=True)
    park_code = serializers.CharField(source="park.code", read_only=True)
    period = PeriodField(read_only=True)
    lines = StatementLineSerializer(many=True, read_only=True)
    gross = money(read_only=True)
    subsidy_total = money(read_only=True)
    net_payable = money(read_only=True)
    paid = money(read_only=True)
    credited = money(read_only=True)
    balance = money(read_only=True)
    status = serializers.ChoiceField(choices=StatementStatus.choices, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    credit_notes = CreditNoteSerializer(many=True, read_only=True)
    verification_url = serializers.SerializerMethodField(
        help_text="The public page that confirms this statement is genuine."
    )
    supplements: serializers.SlugRelatedField[Statement] = serializers.SlugRelatedField(
        slug_field="number",
        read_only=True,
        allow_null=True,
        help_text="For a supplementary statement: the number of the month's statement it adds to.",
    )

    class Meta:
        model = Statement
        fields = (
            "id",
            "number",
            "company",
            "company_name",
            "park",
            "park_code",
            "period",
            "issue_date",
            "due_date",
            "lines",
            "gross",
            "subsidy_total",
            "net_payable",
            "paid",
            "credited",
            "balance",
            "status",
            "scheme",
            "supplements",
            "payments",
            "credit_notes",
            "verification_url",
        )

    @extend_schema_field(serializers.URLField())
    def get_verification_url(self, statement: Statement) -> str:
        # The address printed (and QR-coded) on the PDF: the public site, not the caller's host.
        return statement.verification_url
