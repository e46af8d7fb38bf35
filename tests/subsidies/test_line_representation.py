"""The API's statement lines are written out directly (issue 9): the same JSON as DRF's
field-by-field representation gives."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from core.vocabulary import LineKind
from subsidies.models import StatementLine
from subsidies.serializers import StatementLineSerializer


@pytest.mark.parametrize("kind", list(LineKind))
@pytest.mark.parametrize("unit_code", ["A-101", "", None])
@pytest.mark.parametrize("amount", [Decimal("60000.00"), Decimal("-15000.5"), Decimal("0")])
def test_a_line_reads_as_drfs_own_representation_would(kind, unit_code, amount):
    line = StatementLine(kind=kind, unit_code=unit_code, description="Rent <A-101>", amount=amount)
    ours = StatementLineSerializer(line).data
    drfs = serializers.ModelSerializer.to_representation(StatementLineSerializer(), line)
    assert dict(ours) == dict(drfs)
    assert list(ours) == ["kind", "unit", "description", "amount"]
