"""What the pure core tests share."""

import re

from hypothesis import HealthCheck, settings

# tests/conftest.py has function-scoped autouse fixtures; these pure properties ignore them.
PROPERTY = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def exactly(message: str) -> str:
    """A pattern for ``pytest.raises(match=...)`` that only the whole message matches."""
    return f"^{re.escape(message)}$"
