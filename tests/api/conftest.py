import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user():
    """An API client signed in as ``user`` with a token, as an outside system would be."""

    def client_for(user) -> APIClient:
        from knox.models import AuthToken

        client = APIClient()
        _, token = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return client_for
