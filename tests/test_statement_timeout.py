"""Bounded work per request (issue 9): on PostgreSQL a web request's statement that runs past
``DB_STATEMENT_TIMEOUT_MS`` is cancelled and answers 503 with a clear message; the streamed
exports run free of it."""

from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from stp_portal.exports import csv_download
from tests.factories import PsebStaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def short_timeout():
    """What the web processes' ``options`` set on each connection, here 50 ms."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 50")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")


def _slow_statements(*args, **kwargs):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.3)")
    raise AssertionError("the statement should have been cancelled")


def test_a_statement_past_the_timeout_answers_a_503_page_not_a_500(client, short_timeout):
    client.force_login(PsebStaffFactory())
    with mock.patch("subsidies.views.statements.statements_list", _slow_statements):
        response = client.get(reverse("subsidies:statement_list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "took too long" in response.content.decode()


def test_the_api_answers_the_same_in_json(client, short_timeout):
    client.force_login(PsebStaffFactory())
    with mock.patch("subsidies.apis.statement_detail", _slow_statements):
        response = client.get("/api/v1/statements/")
    assert response.status_code == 503
    assert "took too long" in response.json()["detail"]


def test_an_export_streams_past_the_timeout(short_timeout):
    def rows():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.2), 'slow but whole'")
            yield list(cursor.fetchone()[1:])

    response = csv_download(rows(), "test")
    body = b"".join(response.streaming_content).decode()
    assert body.strip() == "slow but whole"
    with connection.cursor() as cursor:  # the session's own timeout is back after it
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "50ms"
