import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_with_good_credentials_signs_in_and_lands_on_the_dashboard(client):
    user = UserFactory(username="owner.gilgit")
    response = client.post(
        reverse("accounts:login"), {"username": "owner.gilgit", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_in_with_a_wrong_password_shows_a_clear_error_and_signs_nobody_in(client):
    UserFactory(username="owner.gilgit")
    response = client.post(
        reverse("accounts:login"), {"username": "owner.gilgit", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_follows_a_local_next_but_never_an_outside_one(client):
    UserFactory(username="u1")
    data = {"username": "u1", "password": PASSWORD}
    response = client.post(reverse("accounts:login") + "?next=/parks/", {**data, "next": "/parks/"})
    assert response.url == "/parks/"
    client.logout()
    response = client.post(reverse("accounts:login"), {**data, "next": "https://evil.example/"})
    assert response.url == reverse("dashboard")


def test_sign_out_asks_on_get_and_signs_out_only_on_post(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("accounts:logout"))
    assert page.status_code == 200
    assert "Sign out" in page.content.decode()
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"), follow=True)
    assert "_auth_user_id" not in client.session
    assert "You have been signed out." in response.content.decode()
