"""The public statement verification page is rate-limited per client address (issue 7,
request limits): its tokens are unguessable, and the limit keeps anyone from trying many."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

TOKEN = "t" * 43
# Rates per hour, not per minute: django-ratelimit counts in fixed windows, and a test that
# straddled a minute boundary saw its count start again (a flaky 404 for the expected 429).


@override_settings(VERIFY_PAGE_RATE="3/h")
def test_the_verification_page_answers_429_after_the_rate_per_address(client):
    for _ in range(3):
        assert client.get(f"/verify/{TOKEN}/").status_code == 404  # no such statement
    response = client.get(f"/verify/{TOKEN}/")
    assert response.status_code == 429
    assert response["Retry-After"]


@override_settings(VERIFY_PAGE_RATE="3/h")
def test_the_verification_rate_counts_each_address_on_its_own(client):
    for _ in range(3):
        client.get(f"/verify/{TOKEN}/", REMOTE_ADDR="198.51.100.1")
    assert client.get(f"/verify/{TOKEN}/", REMOTE_ADDR="198.51.100.1").status_code == 429
    assert client.get(f"/verify/{TOKEN}/", REMOTE_ADDR="198.51.100.2").status_code == 404


@override_settings(VERIFY_PAGE_RATE="3/h", TRUSTED_PROXY_COUNT=0)
def test_a_rotating_forwarded_for_does_not_escape_the_verification_rate(client):
    for n in range(3):
        client.get(f"/verify/{TOKEN}/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = client.get(f"/verify/{TOKEN}/", HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert response.status_code == 429
