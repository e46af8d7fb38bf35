# The API clients of tests/api: a plain one and one with a user's token.
from tests.api.conftest import api, as_user  # noqa: F401
