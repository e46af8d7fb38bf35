import pytest
from django.core.cache import cache

from accounts.models import User
from core.vocabulary import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
SIGNUP, TOKEN = "/api/v1/auth/signup/", "/api/v1/auth/token/"


def test_signup_creates_a_company_user_without_a_company(api):
    response = api.post(
        SIGNUP,
        {"username": "nadia", "email": "Nadia@Example.pk", "password": "fibre-in-gilgit-2026"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json() == {
        "id": response.json()["id"],
        "username": "nadia",
        "email": "nadia@example.pk",
        "role": "company",
    }
    user = User.objects.get(username="nadia")
    assert user.role == Role.COMPANY
    assert not user.memberships.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "a", "email": "a@example.pk", "password": "123"}, "password"),
        ({"username": "b", "email": "not-an-email", "password": "fibre-in-gilgit-2026"}, "email"),
        ({"email": "c@example.pk", "password": "fibre-in-gilgit-2026"}, "username"),
        # a number is not a username, even if its digits would be one (the schema: string)
        (
            {"username": 2.5e-81, "email": "d@example.pk", "password": "fibre-in-gilgit-2026"},
            "username",
        ),
        ({"username": "e", "email": "e@example.pk", "password": 20262026202620}, "password"),
    ],
)
def test_signup_refuses_bad_input_with_field_messages(api, body, field):
    response = api.post(SIGNUP, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.exists()


def test_signup_refuses_a_taken_username_or_email_whatever_the_case(api):
    UserFactory(username="taken", email="taken@example.pk")
    body = {"username": "TAKEN", "email": "TAKEN@example.pk", "password": "fibre-in-gilgit-2026"}
    response = api.post(SIGNUP, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "email"}
    assert User.objects.count() == 1


def test_token_for_good_credentials_authenticates_later_calls(api):
    UserFactory(username="owner")
    token = api.post(TOKEN, {"username": "owner", "password": PASSWORD}, format="json")
    assert token.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert api.get("/api/v1/companies/").status_code == 200


def test_token_refuses_bad_credentials_and_unauthenticated_calls_answer_401(api):
    UserFactory(username="owner")
    response = api.post(TOKEN, {"username": "owner", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert api.get("/api/v1/companies/").status_code == 401


def test_sign_up_and_token_requests_are_throttled_per_address(api, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    # DRF reads the rates once at import; patch the class for this test only.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    key = ScopedRateThrottle.cache_format % {"scope": "auth", "ident": "127.0.0.1"}
    cache.delete(key)
    codes = [
        api.post(TOKEN, {"username": "x", "password": "y"}, format="json").status_code
        for _ in range(4)
    ]
    cache.delete(key)
    assert codes == [400, 400, 400, 429]
