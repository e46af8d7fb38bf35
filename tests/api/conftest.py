import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user():
    """An API client signed in as ``user`` with a token, as an outside system would be."""

    def client_for(user) -> APIClient:
        from rest_framework.authtoken.models import Token

        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for
