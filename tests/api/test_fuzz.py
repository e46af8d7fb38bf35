"""Property-based fuzzing of every API operation from our own OpenAPI schema: whatever the
input, the API never answers a 500 (api.md: "Never a 500 for any input")."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from stp_portal.demo import seed_demo

# The coverage phase (every boundary case the schema implies) runs where services are
# required, i.e. in CI; everywhere the fuzzing phase runs with a few examples per operation.
THOROUGH = os.environ.get("STP_REQUIRE_SERVICES") == "1"
config = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": THOROUGH}, "stateful": {"enabled": False}}}
)
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=config
)


@pytest.fixture
def token():
    from accounts.models import User

    seed_demo()
    # Requests go straight to the WSGI app: like Django's test client, keep the request
    # signals from closing the test's database connection (its transaction) between calls.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield AuthToken.objects.create(user=User.objects.get(username="pseb"))[1]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_never_answers_500(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=[not_a_server_error])
