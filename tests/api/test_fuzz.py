"""Property-based testing of every API operation from our own OpenAPI schema, as PSEB staff and
as a company's owner, with all of schemathesis' checks: whatever the input, the API never
answers a 500 (api.md: "Never a 500 for any input"), and it answers only what the schema says
(status codes, content types, bodies and headers), refuses what the schema calls invalid, and
answers the requests a caller needs no data to know are valid.

Two checks are narrowed, for reasons the schema cannot change:

- ``positive_data_acceptance`` runs on reads only. A write valid by the schema may still name
  data that is not there or break a rule of the programme (an id that names no park, a payment
  over the balance, a month the lease has no day in, a password too common, a username taken):
  api.md answers those with a 400 naming the field, and no schema can state them.
- ``positive_data_acceptance`` is off for the reports too: their filters, each valid by the
  schema, may still name a park outside the caller's parks or a range that ends before it
  starts (``from`` after ``to``); the report answers those with a 400 naming the field.
- The stateful phase (and the checks that need it, ``use_after_free`` and
  ``ensure_resource_availability``) is off: the schema declares no links between operations,
  and resources are created through workflows (approval creates a lease) rather than by
  POSTing what a GET returns.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.config import SchemathesisConfig

from stp_portal.demo import seed_demo

# The coverage phase (every boundary case the schema implies) runs where services are
# required, i.e. in CI; everywhere the fuzzing phase runs with a few examples per operation.
THOROUGH = os.environ.get("STP_REQUIRE_SERVICES") == "1"
config = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": THOROUGH}, "stateful": {"enabled": False}},
        "operations": [
            {
                "include-method": ["POST", "PUT", "PATCH"],
                "checks": {"positive_data_acceptance": {"enabled": False}},
            },
            {
                "include-operation-id": "reports_retrieve",
                "checks": {"positive_data_acceptance": {"enabled": False}},
            },
        ],
    }
)
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=config
)


@pytest.fixture(params=["pseb", "company_owner"])
def token(request):
    from accounts.models import User
    from core.vocabulary import Role

    seed_demo()
    if request.param == "pseb":
        user = User.objects.get(username="pseb")
    else:
        user = User.objects.filter(role=Role.COMPANY, memberships__isnull=False).earliest("pk")
    # Requests go straight to the WSGI app: like Django's test client, keep the request
    # signals from closing the test's database connection (its transaction) between calls.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield AuthToken.objects.create(user=user)[1]
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
def test_the_api_answers_only_what_its_schema_says_and_never_500(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"})
