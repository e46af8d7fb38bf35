"""API tokens and sessions (issue 7 §4): tokens are stored hashed, expire, can be listed and
revoked by their owner, and sign-out revokes the one in use; sessions end when idle, sooner
for staff."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
TOKEN, TOKENS, LOGOUT = "/api/v1/auth/token/", "/api/v1/auth/tokens/", "/api/v1/auth/logout/"


def _token(api, user) -> dict:
    response = api.post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _with(api, token):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_a_token_is_stored_only_as_a_hash(api, company_user):
    token = _token(api, company_user)["token"]
    stored = AuthToken.objects.get(user=company_user)
    assert token not in (stored.digest, stored.token_key)
    assert token.startswith(stored.token_key)  # only the first characters, to tell them apart
    assert _with(api, token).get("/api/v1/companies/").status_code == 200


def test_a_token_expires_after_the_configured_days(api, company_user, settings):
    answer = _token(api, company_user)
    stored = AuthToken.objects.get(user=company_user)
    ttl = stored.expiry - stored.created
    assert (
        timedelta(days=settings.API_TOKEN_TTL_DAYS - 1)
        < ttl
        <= timedelta(days=settings.API_TOKEN_TTL_DAYS)
    )
    assert answer["expiry"]
    AuthToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert _with(api, answer["token"]).get("/api/v1/companies/").status_code == 401


def test_the_owner_lists_their_live_tokens_and_never_sees_the_tokens_themselves(api, company_user):
    first, second = _token(api, company_user), _token(api, company_user)
    other_user_token = _token(api, UserFactory())
    listed = _with(api, first["token"]).get(TOKENS).json()
    assert sorted(t["id"] for t in listed) == sorted([first["id"], second["id"]])
    assert other_user_token["id"] not in {t["id"] for t in listed}
    assert all(set(t) == {"id", "created", "expiry"} for t in listed)


def test_the_owner_revokes_a_token_and_it_is_refused_from_then_on(api, company_user):
    first, second = _token(api, company_user), _token(api, company_user)
    client = _with(api, first["token"])
    assert client.delete(f"{TOKENS}{second['id']}/").status_code == 204
    assert _with(api, second["token"]).get("/api/v1/companies/").status_code == 401
    assert _with(api, first["token"]).get("/api/v1/companies/").status_code == 200


def test_nobody_revokes_another_users_token(api, company_user, other_company_user):
    theirs = _token(api, other_company_user)
    mine = _token(api, company_user)
    assert _with(api, mine["token"]).delete(f"{TOKENS}{theirs['id']}/").status_code == 404
    assert _with(api, theirs["token"]).get("/api/v1/companies/").status_code == 200


def test_logout_revokes_the_token_in_use(api, company_user):
    token = _token(api, company_user)["token"]
    client = _with(api, token)
    assert client.post(LOGOUT).status_code == 204
    assert client.get("/api/v1/companies/").status_code == 401
    assert not AuthToken.objects.filter(user=company_user).exists()


def test_a_company_session_ends_after_its_idle_timeout(company_user, settings):
    client = Client()
    client.force_login(company_user)
    assert client.session.get_expiry_age() == settings.SESSION_IDLE_MINUTES * 60


def test_a_staff_session_has_the_shorter_idle_timeout(pseb_staff, settings):
    assert settings.STAFF_SESSION_IDLE_MINUTES < settings.SESSION_IDLE_MINUTES
    client = Client()
    client.force_login(pseb_staff)
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_IDLE_MINUTES * 60


def test_an_idle_session_is_signed_out(company_user, settings):
    from django.contrib.sessions.models import Session

    client = Client()
    client.force_login(company_user)
    client.get("/dashboard/")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/sign-in/")


def test_a_request_moves_the_idle_deadline_on_at_most_once_a_minute(company_user):
    from django.contrib.sessions.models import Session

    client = Client()
    client.force_login(company_user)
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    client.get("/dashboard/")  # within the minute: the session is not written
    assert Session.objects.get(session_key=key).expire_date == soon
    session = client.session
    session["_stp_seen"] -= 61
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=soon)
    client.get("/dashboard/")
    assert Session.objects.get(session_key=key).expire_date > soon + timedelta(minutes=100)


def test_the_account_page_lists_and_revokes_the_users_tokens(api, company_user):
    token = _token(api, company_user)
    client = Client()
    client.force_login(company_user)
    page = client.get("/accounts/").content.decode()
    assert token["id"] in page
    assert token["token"] not in page
    response = client.post(f"/accounts/tokens/{token['id']}/revoke/")
    assert response.status_code == 302
    assert _with(api, token["token"]).get("/api/v1/companies/").status_code == 401
