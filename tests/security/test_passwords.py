"""Passwords and addresses (issue 7 §3): change, reset by e-mail without revealing who has an
account, and a sign-up confirms its address before the company submits an application."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import User
from accounts.tokens import email_verification_token
from core.vocabulary import ApplicationStatus
from tenants.selectors import company_of
from tenants.services import application_create
from tests.factories import PASSWORD, UserFactory, application_input

pytestmark = pytest.mark.django_db


def test_a_user_changes_their_password_and_their_api_tokens_end(company_user):
    AuthToken.objects.create(user=company_user)
    client = Client()
    client.force_login(company_user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "karakoram-highway-2027",
            "new_password2": "karakoram-highway-2027",
        },
    )
    assert response.status_code == 302
    company_user.refresh_from_db()
    assert company_user.check_password("karakoram-highway-2027")
    assert not AuthToken.objects.filter(user=company_user).exists()


def test_a_wrong_current_password_changes_nothing(company_user):
    client = Client()
    client.force_login(company_user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "nope",
            "new_password1": "x-long-pass-2027",
            "new_password2": "x-long-pass-2027",
        },
    )
    assert response.status_code == 200
    company_user.refresh_from_db()
    assert company_user.check_password(PASSWORD)


def test_reset_answers_the_same_whether_or_not_the_address_has_an_account(
    django_capture_on_commit_callbacks,
):
    UserFactory(email="known@example.pk")
    with django_capture_on_commit_callbacks(execute=True):
        known = Client().post("/accounts/password/reset/", {"email": "known@example.pk"})
        unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.pk"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["known@example.pk"]


def test_reset_mail_is_sent_after_the_answer_so_a_mail_failure_reveals_nothing(
    django_capture_on_commit_callbacks,
):
    UserFactory(email="known@example.pk")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        known = Client().post("/accounts/password/reset/", {"email": "known@example.pk"})
        unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.pk"})
    # Nothing was sent while answering: whatever the mail server does, both answers match.
    assert known.status_code == unknown.status_code == 302
    assert len(queued) == 1
    assert mail.outbox == []


def test_the_reset_link_sets_a_new_password_and_ends_every_api_token(
    settings, django_capture_on_commit_callbacks
):
    user = UserFactory(email="known@example.pk")
    AuthToken.objects.create(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "known@example.pk"})
    link = re.search(r"(/accounts/password/reset/\S+/\S+/)", mail.outbox[0].body).group(1)
    assert settings.SITE_URL + link in mail.outbox[0].body
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "sukkur-barrage-2027", "new_password2": "sukkur-barrage-2027"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("sukkur-barrage-2027")
    assert not AuthToken.objects.filter(user=user).exists()


def test_reset_requests_are_rate_limited(settings):
    settings.PASSWORD_RESET_RATE = "2/h"
    client = Client()
    for _ in range(2):
        assert (
            client.post("/accounts/password/reset/", {"email": "a@example.pk"}).status_code == 302
        )
    assert client.post("/accounts/password/reset/", {"email": "a@example.pk"}).status_code == 429


def test_sign_up_is_rate_limited(settings):
    settings.SIGN_UP_RATE = "1/h"
    body = {
        "username": "first",
        "email": "first@example.pk",
        "password": "fibre-in-gilgit-2026",
        "password_again": "fibre-in-gilgit-2026",
    }
    assert Client().post("/accounts/sign-up/", body).status_code == 302
    second = Client().post(
        "/accounts/sign-up/", {**body, "username": "second", "email": "s@example.pk"}
    )
    assert second.status_code == 429
    assert not User.objects.filter(username="second").exists()


def test_sign_up_sends_a_verification_link_that_confirms_the_address(
    django_capture_on_commit_callbacks,
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/sign-up/",
            {
                "username": "nadia",
                "email": "nadia@example.pk",
                "password": "fibre-in-gilgit-2026",
                "password_again": "fibre-in-gilgit-2026",
            },
        )
    user = User.objects.get(username="nadia")
    assert user.email_verified_at is None
    link = re.search(r"(/accounts/verify-email/\S+/)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_a_link_for_an_old_address_does_not_verify_the_new_one():
    user = UserFactory(email="old@example.pk", email_verified_at=None)
    token = email_verification_token(user.pk, "old@example.pk")
    user.email = "new@example.pk"
    user.save()
    Client().get(f"/accounts/verify-email/{token}/")
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_forged_link_verifies_nothing():
    user = UserFactory(email_verified_at=None)
    Client().get(f"/accounts/verify-email/{user.pk}:forged/")
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_an_unverified_address_cannot_submit_an_application(company_user, park):
    draft = application_create(
        user=company_user,
        company=company_of(company_user),
        data=application_input(park),
    )
    User.objects.filter(pk=company_user.pk).update(email_verified_at=None)
    client = Client()
    client.force_login(company_user)
    response = client.post(f"/applications/{draft.pk}/submit/", follow=True)
    assert "Confirm your e-mail address first" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    # Once confirmed, the same submission goes through.
    User.objects.filter(pk=company_user.pk).update(email_verified_at=timezone.now())
    client.post(f"/applications/{draft.pk}/submit/")
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED
