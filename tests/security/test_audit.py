"""The audit trail (issue 7 §8): every write recorded with actor, time, object, action and old
and new values, from the admin, the API, commands and tasks; security events for sign-ins,
failures, lock-outs and refusals; the trail is append-only; PSEB's audit pages."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from audit.events import security_event_record
from audit.models import SecurityEvent, SecurityEventKind
from parks.models import Park
from subsidies.models import Statement
from tests.factories import (
    PASSWORD,
    LeaseFactory,
    ParkFactory,
    SubsidySchemeFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _entries(obj, action=None):
    rows = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_pk=str(obj.pk)
    )
    return rows.filter(action=action) if action is not None else rows


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Changes: admin, API, commands, bulk writes ------------------------------------------------
def _admin_form_data(page) -> dict:
    """What the admin change form would post back unchanged (its inlines' management forms
    included)."""
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    return data


def test_an_admin_edit_records_the_staff_member_and_the_old_and_new_values(pseb_staff, park):
    unit = UnitFactory(park=park, code="A-101", floor="Ground")
    client = _signed_in(pseb_staff)
    url = reverse("admin:parks_unit_change", args=[unit.pk])
    data = _admin_form_data(client.get(url))
    data["floor"] = "First"

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    entry = _entries(unit, LogEntry.Action.UPDATE).get()
    assert entry.actor == pseb_staff
    assert entry.changes_dict["floor"] == ["Ground", "First"]
    assert entry.additional_data["via"] == "admin"
    assert entry.remote_addr == "127.0.0.1"


def test_an_api_edit_with_a_token_records_the_token_user_as_actor(as_user, company_user):
    company = company_user.memberships.get().company
    old_city = company.city

    response = as_user(company_user).patch(
        f"/api/v1/companies/{company.pk}/", {"city": "Quetta"}, format="json"
    )

    assert response.status_code == 200
    entry = _entries(company, LogEntry.Action.UPDATE).get()
    # The token is checked inside the view, after every middleware: the actor is still known.
    assert entry.actor == company_user
    assert entry.changes_dict["city"] == [old_city, "Quetta"]
    assert entry.additional_data["via"] == "api"


def test_a_management_command_write_names_the_command_instead_of_a_person():
    call_command("add_staff_user", "nadia", "--password", "A-long-pass-phrase-9", "--role", "pseb")

    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get(app_label="accounts", model="user"),
        action=LogEntry.Action.CREATE,
        object_repr="nadia",
    )
    assert entry.actor is None
    assert entry.additional_data["via"] == "command add_staff_user"


def test_secrets_are_never_copied_into_the_trail():
    user = UserFactory(username="sana")
    user.set_password("Another-pass-phrase-7")
    user.save()

    entry = _entries(user, LogEntry.Action.UPDATE).order_by("pk").last()
    assert entry.changes_dict["password"] == ["[hidden]", "[hidden]"]
    assert "Another-pass-phrase-7" not in str(entry.changes)
    assert user.password not in str(_entries(user).values_list("changes", flat=True))


def test_billing_records_one_row_per_statement_written_in_bulk_by_the_command(park):
    SubsidySchemeFactory()
    LeaseFactory(park=park, start_date=date(2026, 3, 15))
    LeaseFactory(park=park, start_date=date(2026, 3, 1))

    call_command("run_billing", "--period", "2026-03", "--sync", stdout=io.StringIO())

    statements = list(Statement.objects.all())
    assert len(statements) == 2
    for statement in statements:
        entry = _entries(statement, LogEntry.Action.CREATE).get()
        assert entry.changes_dict["net_payable"][1] == str(statement.net_payable)
        assert entry.changes_dict["verification_token"][1] == "[hidden]"
        assert entry.additional_data["via"].startswith("command run_billing")


def test_a_termination_records_each_lease_unit_old_and_new_end(as_user, pseb_staff, park):
    lease = LeaseFactory(park=park, start_date=date(2026, 1, 1))
    lease_unit = lease.lease_units.get()
    end = timezone.localdate() + timedelta(days=30)

    response = as_user(pseb_staff).post(
        f"/api/v1/leases/{lease.pk}/terminate/", {"end_date": end.isoformat()}, format="json"
    )

    assert response.status_code == 200, response.content
    lease_entry = _entries(lease, LogEntry.Action.UPDATE).get()
    assert lease_entry.actor == pseb_staff
    assert lease_entry.changes_dict["end_date"][1] == end.isoformat()
    unit_entry = _entries(lease_unit, LogEntry.Action.UPDATE).get()  # a QuerySet.update
    assert unit_entry.actor == pseb_staff
    assert unit_entry.changes_dict["end_date"] == [None, end.isoformat()]


# --- Security events ---------------------------------------------------------------------------
def test_a_sign_in_and_a_failed_sign_in_are_security_events():
    UserFactory(username="amina")
    client = Client()
    client.post("/accounts/sign-in/", {"username": "amina", "password": "wrong"})
    client.post("/accounts/sign-in/", {"username": "amina", "password": PASSWORD})

    events = SecurityEvent.objects.filter(kind__in=["sign_in", "sign_in_failed"])
    failed, signed_in = events.order_by("pk")
    assert (failed.kind, failed.username, failed.user) == ("sign_in_failed", "amina", None)
    assert failed.client_ip == "127.0.0.1"
    assert failed.path == "/accounts/sign-in/"
    assert (signed_in.kind, signed_in.user.username) == ("sign_in", "amina")


@override_settings(AXES_FAILURE_LIMIT=5)
def test_five_failures_lock_out_and_the_lock_out_is_a_security_event():
    UserFactory(username="amina")
    client = Client()
    answers = [
        client.post(
            "/accounts/sign-in/",
            {"username": "amina", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(6)
    ]

    assert answers[-1] == 429
    kinds = list(SecurityEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds.count(SecurityEventKind.SIGN_IN_FAILED) >= 5
    # The fifth failure locks out; each attempt while locked out is an event too.
    locked = SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT).first()
    # The address is the connecting one, never the header the client rotated.
    assert (locked.username, locked.client_ip) == ("amina", "127.0.0.1")


def test_a_404_answered_to_a_signed_in_user_is_a_refusal_event(company_user, other_company_user):
    other = other_company_user.memberships.get().company
    client = _signed_in(company_user)

    response = client.get(reverse("tenants:company_detail", args=[other.pk]))

    assert response.status_code == 404
    event = SecurityEvent.objects.get(kind=SecurityEventKind.REFUSED_404)
    assert (event.user, event.status, event.method) == (company_user, 404, "GET")


def test_an_anonymous_404_is_not_recorded():
    assert Client().get("/no-such-page/").status_code == 404
    assert not SecurityEvent.objects.exists()


def test_a_token_created_and_revoked_are_security_events(api, company_user):
    token = api.post(
        "/api/v1/auth/token/", {"username": company_user.username, "password": PASSWORD}
    ).json()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    assert api.post("/api/v1/auth/logout/").status_code == 204

    created = SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_CREATED)
    revoked = SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_REVOKED)
    assert created.user == revoked.user == company_user
    assert created.detail["token"] == revoked.detail["token"] == token["id"]


def test_a_password_change_is_a_security_event(company_user):
    client = _signed_in(company_user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "A-new-pass-phrase-42",
            "new_password2": "A-new-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    event = SecurityEvent.objects.get(
        kind=SecurityEventKind.PASSWORD_CHANGED, path=reverse("accounts:password_change")
    )
    assert (event.user, event.method) == (company_user, "POST")


# --- Append-only --------------------------------------------------------------------------------
def test_the_admin_cannot_add_change_or_delete_the_trail(pseb_staff, rf):
    request = rf.get("/admin/")
    request.user = pseb_staff
    for model in (LogEntry, SecurityEvent):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_a_superuser_posting_the_admin_delete_page_deletes_nothing(pseb_staff, park):
    entry = _entries(park).first()
    client = _signed_in(pseb_staff)
    url = reverse("admin:auditlog_logentry_delete", args=[entry.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_a_user_keeps_their_trail_with_the_actor_emptied(as_user, company_user):
    company = company_user.memberships.get().company
    client = as_user(company_user)  # a token, deleted with the account
    assert client.patch(f"/api/v1/companies/{company.pk}/", {"city": "Quetta"}).status_code == 200
    entry = _entries(company, LogEntry.Action.UPDATE).get()
    event = security_event_record(kind=SecurityEventKind.SIGN_IN, user=company_user)

    company_user.delete()  # the only UPDATE the trail allows: its user column set to NULL

    entry.refresh_from_db()
    event.refresh_from_db()
    assert (entry.actor, entry.actor_email) == (None, company_user.email or None)
    assert (event.user, event.username) == (None, company_user.username)


@pytest.mark.postgres
def test_the_database_refuses_to_update_or_delete_the_trail(park):
    entry = _entries(park).first()
    event = SecurityEvent.objects.create(kind=SecurityEventKind.SIGN_IN, username="x")
    statements = [
        ("UPDATE auditlog_logentry SET object_repr = 'forged' WHERE id = %s", entry.pk),
        ("DELETE FROM auditlog_logentry WHERE id = %s", entry.pk),
        ("UPDATE audit_securityevent SET username = 'forged' WHERE id = %s", event.pk),
        ("DELETE FROM audit_securityevent WHERE id = %s", event.pk),
    ]
    for sql, pk in statements:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [pk])
    entry.refresh_from_db()
    assert entry.object_repr != "forged"
    assert SecurityEvent.objects.get(pk=event.pk).username == "x"


# --- The audit pages -----------------------------------------------------------------------------
@pytest.fixture
def trail(pseb_staff, company_user, as_user):
    """Changes by a person (through the API) and without one, and a few security events."""
    parks = [ParkFactory(code=code) for code in ("PAA", "PAB", "PAC")]
    for park in parks:
        park.operator = "Changed by staff"
        park.save()
    company = company_user.memberships.get().company
    response = as_user(company_user).patch(
        f"/api/v1/companies/{company.pk}/", {"city": "Quetta"}, format="json"
    )
    assert response.status_code == 200
    SecurityEvent.objects.create(kind=SecurityEventKind.SIGN_IN_FAILED, username="amina")
    SecurityEvent.objects.create(kind=SecurityEventKind.SIGN_IN, username="bilal")
    return {"client": _signed_in(pseb_staff), "parks": parks, "company": company}


def test_the_audit_page_filters_by_object_type_object_and_action(trail):
    park = trail["parks"][0]
    page = trail["client"].get(
        reverse("audit:changes"),
        {"object_type": "parks.park", "object_id": str(park.pk), "action": "1"},
    )
    assert page.status_code == 200
    rows = [row["entry"] for row in page.context["entries"]]
    assert [(r.object_pk, r.action) for r in rows] == [(str(park.pk), LogEntry.Action.UPDATE)]
    assert "Changed by staff" in page.content.decode()


def test_the_audit_page_filters_by_actor_and_dates(trail, company_user):
    client = trail["client"]
    by_owner = client.get(reverse("audit:changes"), {"actor": "OWNER.ONE"})
    rows = [row["entry"] for row in by_owner.context["entries"]]
    assert len(rows) == 1
    assert rows[0].actor == company_user
    assert rows[0].object_pk == str(trail["company"].pk)

    today = timezone.localdate()
    everything = client.get(reverse("audit:changes"), {"since": today, "until": today})
    assert everything.context["page"].paginator.count == LogEntry.objects.count()
    tomorrow = today + timedelta(days=1)
    later = client.get(reverse("audit:changes"), {"since": tomorrow})
    assert later.context["page"].paginator.count == 0


def test_the_audit_page_reads_a_bounded_number_of_queries(trail, django_assert_max_num_queries):
    for n in range(60):
        Park.objects.filter(pk=trail["parks"][n % 3].pk).first().save()
        trail["company"].website = f"https://example{n}.pk"
        trail["company"].save()
    with django_assert_max_num_queries(12):
        response = trail["client"].get(reverse("audit:changes"))
    assert len(response.context["entries"]) == 50


def test_the_change_csv_has_the_filtered_rows_with_old_and_new_values(trail):
    company = trail["company"]
    response = trail["client"].get(
        reverse("audit:change_export"),
        {"object_type": "tenants.company", "object_id": str(company.pk), "action": "1"},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    city = [r for r in rows if r["field"] == "City"]
    assert len(city) == 1
    assert city[0]["new"] == "Quetta"
    assert {r["object_id"] for r in rows} == {str(company.pk)}


def test_the_security_events_page_filters_and_exports(trail):
    client = trail["client"]
    page = client.get(reverse("audit:security_events"), {"kind": "sign_in_failed"})
    assert [e.username for e in page.context["page"]] == ["amina"]
    export = client.get(reverse("audit:security_event_export"), {"username": "bilal"})
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [(r["event"], r["username"]) for r in rows] == [("Signed in", "bilal")]


def test_the_audit_pages_do_not_exist_for_anyone_but_pseb(park_manager, company_user):
    for user in (park_manager, company_user):
        client = _signed_in(user)
        assert client.get(reverse("audit:changes")).status_code == 404
        assert client.get(reverse("audit:security_event_export")).status_code == 404


def test_an_object_page_shows_its_own_history_to_pseb_only(pseb_staff, company_user):
    company = company_user.memberships.get().company
    company.city = "Quetta"
    company.save()
    url = reverse("tenants:company_detail", args=[company.pk])

    staff_page = _signed_in(pseb_staff).get(url).content.decode()
    owner_page = _signed_in(company_user).get(url).content.decode()

    assert "Change history" in staff_page
    assert "Quetta" in staff_page
    assert "Change history" not in owner_page


def test_a_creation_shows_three_fields_and_folds_the_rest_away(trail):
    # a park's creation lists every value it was given: more than three
    park = trail["parks"][0]
    page = trail["client"].get(
        reverse("audit:changes"),
        {"object_type": "parks.park", "object_id": str(park.pk), "action": "0"},
    )
    body = page.content.decode()
    (row,) = page.context["entries"]
    hidden = len(row["changes"]) - 3
    assert hidden > 0
    shown, folded = body.split('<details class="more-changes">', 1)
    folded = folded.split("</details>", 1)[0]
    assert f"{hidden} more field" in folded
    assert folded.count("<li>") == hidden
    assert shown.split('<ul class="plain-list">')[-1].count("<li>") == 3
