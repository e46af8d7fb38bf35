"""One write path (issue 7 item 9): the admin writes only through the portal's services.

The walk covers every ModelAdmin registered when it runs, third-party ones included: each
either grants PSEB no write at all, or names the service of every write it offers
(stp_portal.admin.ServiceAdmin.write_services); then each writable add and change form is
posted for real, with the declared service wrapped, to see that it ran and saved.
"""

import dataclasses
from datetime import date, timedelta
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.forms import CheckboxInput
from django.test import RequestFactory
from django.urls import reverse
from django.utils.module_loading import import_string

from accounts.models import User
from parks.models import Park, ParkManagerAssignment, Unit
from reports.models import CityDemand
from stp_portal.admin import ServiceAdmin
from stp_portal.demo import seed_demo
from subsidies.models import SubsidyScheme
from tenants.models import Application, ApplicationTransition, Company, Lease

pytestmark = pytest.mark.django_db

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MODELS = [model for model, _ in REGISTRY]


def _declared(model_admin) -> dict[str, str]:
    return dict(model_admin.write_services) if isinstance(model_admin, ServiceAdmin) else {}


def _writable(kind: str) -> list:
    return [model for model, model_admin in REGISTRY if kind in _declared(model_admin)]


@pytest.fixture
def pseb():
    seed_demo()
    return User.objects.get(username="pseb")


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


# --- The walk ---------------------------------------------------------------------------------
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_admin_write_is_refused_or_goes_through_a_declared_service(model, pseb):
    model_admin = admin.site._registry[model]
    request = _request(pseb)
    obj = model._default_manager.order_by("pk").first()
    declared = _declared(model_admin)

    granted = {
        kind
        for kind, allowed in (
            ("add", model_admin.has_add_permission(request)),
            ("change", model_admin.has_change_permission(request, obj)),
            ("delete", model_admin.has_delete_permission(request, obj)),
        )
        if allowed
    }
    actions = set(model_admin.get_actions(request))
    if "delete_selected" in actions:
        actions = (actions - {"delete_selected"}) | {"delete"}

    assert granted <= set(declared), f"writes without a service: {granted - set(declared)}"
    assert actions <= set(declared), f"actions without a service: {actions - set(declared)}"
    for dotted in declared.values():
        assert dotted.rsplit(".", 2)[-2] == "services", dotted
        assert callable(import_string(dotted))
    for inline_class in model_admin.inlines:
        inline = inline_class(model, admin.site)
        assert not inline.has_add_permission(request, obj), inline_class
        assert not inline.has_change_permission(request, obj), inline_class
        assert not inline.has_delete_permission(request, obj), inline_class


def _form_data(model_admin, request, obj=None) -> dict:
    """What the admin page would post for ``obj`` as it stands (or an empty add form),
    its inlines' forms included."""
    form = model_admin.get_form(request, obj, change=obj is not None)(instance=obj)
    data = _values(form)
    if obj is None:
        return data
    for formset_class, _inline in model_admin.get_formsets_with_inlines(request, obj):
        formset = formset_class(instance=obj, prefix=formset_class.get_default_prefix())
        data |= _values(formset.management_form)
        for inline_form in formset.forms:
            data |= _values(inline_form)
    return data


def _values(form) -> dict:
    data: dict = {}
    for name, field in form.fields.items():
        key, value = form.add_prefix(name), form[name].value()
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[key] = "on"
        elif value is None:
            data[key] = ""
        elif isinstance(value, list | tuple):
            data[key] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[key] = str(getattr(value, "pk", value))
    return data


# One edit per model whose admin offers a change form: (field, new value, how to read it).
CHANGES = {
    Park: ("operator", "Changed Operator (Pvt) Ltd", lambda o: o.operator),
    Unit: ("floor", "9", lambda o: o.floor),
    SubsidyScheme: ("name", "Renamed scheme", lambda o: o.name),
    User: ("first_name", "Renamed", lambda o: o.first_name),
    CityDemand: ("registered_companies", "500", lambda o: str(o.registered_companies)),
}


def _free_unit() -> Unit:
    return Unit.objects.filter(lease_units__isnull=True, under_maintenance=False).first()


def _add_data() -> dict:
    unit = _free_unit()
    manager = User.objects.filter(role="park_manager").first()
    other_park = Park.objects.exclude(manager_assignments__user=manager).order_by("code").first()
    return {
        Park: {
            "name": "Test STP",
            "code": "TST",
            "city": "Sialkot",
            "province": "punjab",
            "tier": "secondary",
            "status": "existing",
            "opening_date": "2024-01-01",
            "operator": "PSEB",
            "address": "Sialkot",
            "latitude": "",
            "longitude": "",
            "rent_per_sqft": "50",
            "description": "",
        },
        Unit: {
            "park": unit.park_id,
            "code": "ZZ-901",
            "floor": "9",
            "kind": "office",
            "area_sqft": "500",
            "seats": "5",
            "monthly_rent": "",
            "internet_fee": "3000",
        },
        SubsidyScheme: {
            "name": "Test scheme",
            "internet_pct": "100",
            "rent_pct": "25",
            "duration_months": "12",
            "valid_from": "2030-07-01",
            "valid_to": "",
            "anchor": "lease_start",
            "parks": [str(unit.park_id)],
        },
        User: {
            "username": "new.manager",
            "email": "new.manager@example.pk",
            "role": "park_manager",
            "parks": [str(unit.park_id)],
            "password1": "a-Long-and-Unusual-pass-42",
            "password2": "a-Long-and-Unusual-pass-42",
        },
        Lease: {
            "company": Company.objects.filter(leases__isnull=True).order_by("pk").first().pk,
            "park": unit.park_id,
            "start_date": str(max(unit.park.opening_date, date(2025, 1, 1))),
            "end_date": "",
            "units": [str(unit.pk)],
        },
        ParkManagerAssignment: {"user": manager.pk, "park": other_park.pk},
        CityDemand: {"city": "Sialkot", "province": "punjab", "registered_companies": "120"},
    }


def test_every_writable_admin_form_has_a_case_here():
    # A new writable admin must be posted by the tests below, not slip past them.
    assert set(_writable("change")) == set(CHANGES)
    assert set(_writable("add")) == {
        Park,
        Unit,
        SubsidyScheme,
        User,
        Lease,
        ParkManagerAssignment,
        CityDemand,
    }


def _stored(obj) -> dict:
    """What ``obj`` holds: its columns, and the ids of its many-to-many rows."""
    values = {f.name: getattr(obj, f.name) for f in obj._meta.concrete_fields}
    return values | {
        f.name: {o.pk for o in getattr(obj, f.name).all()} for f in obj._meta.many_to_many
    }


def _changed_by(data, stored: dict) -> set[str]:
    """The fields the input dataclass ``data`` sets otherwise than ``stored`` has them."""
    changed = set()
    for name in (f.name for f in dataclasses.fields(data)):
        value = getattr(data, name)
        if isinstance(stored[name], set):
            value = {v.pk for v in value}
        if value != stored[name]:
            changed.add(name)
    return changed


@pytest.mark.parametrize("model", _writable("change"), ids=lambda m: m._meta.label)
def test_admin_change_form_saves_through_its_declared_service(model, client, pseb):
    model_admin = admin.site._registry[model]
    obj = model._default_manager.order_by("pk").first()
    field, value, read = CHANGES[model]
    stored = _stored(obj)
    data = _form_data(model_admin, _request(pseb), obj)
    assert field in data
    data[field] = value
    dotted = model_admin.write_services["change"]
    client.force_login(pseb)
    with mock.patch(dotted, wraps=import_string(dotted)) as service:
        response = client.post(_url(model, "change", obj.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    service.assert_called_once()
    given = service.call_args.kwargs
    if "data" in given:  # a typed input: what it changes is the changed field only
        assert _changed_by(given["data"], stored) == {field}, "the service changes the field only"
    assert given.keys() - {"user", "park", "unit", "scheme", "target", "data"} <= {
        field,
        "parks",
    }, "the service is given the changed fields only"
    obj.refresh_from_db()
    assert read(obj) == value


@pytest.mark.parametrize("model", _writable("add"), ids=lambda m: m._meta.label)
def test_admin_add_form_creates_through_its_declared_service(model, client, pseb):
    model_admin = admin.site._registry[model]
    data = _add_data()[model]
    dotted = model_admin.write_services["add"]
    before = model._default_manager.count()
    client.force_login(pseb)
    with mock.patch(dotted, wraps=import_string(dotted)) as service:
        response = client.post(_url(model, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    service.assert_called_once()
    assert model._default_manager.count() == before + 1


@pytest.mark.parametrize("model", _writable("delete"), ids=lambda m: m._meta.label)
def test_admin_delete_goes_through_its_declared_service(model, client, pseb):
    obj = model._default_manager.order_by("pk").first()
    dotted = admin.site._registry[model].write_services["delete"]
    client.force_login(pseb)
    with mock.patch(dotted, wraps=import_string(dotted)) as service:
        response = client.post(_url(model, "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 302
    service.assert_called_once()
    assert not model._default_manager.filter(pk=obj.pk).exists()


# --- Workflow state and money -------------------------------------------------------------------
def test_application_status_cannot_be_changed_in_the_admin(client, pseb):
    application = Application.objects.filter(status="draft").first()
    client.force_login(pseb)
    page = client.get(_url(Application, "change", application.pk))
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    response = client.post(
        _url(Application, "change", application.pk), {"status": "withdrawn", "lease": ""}
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "draft"
    assert not application.transitions.filter(to_status="withdrawn").exists()


def test_posting_new_dates_or_units_to_a_lease_changes_nothing(client, pseb):
    lease = Lease.objects.filter(terminated_at__isnull=True).order_by("pk").first()
    before = (lease.start_date, lease.end_date, list(lease.lease_units.values_list()))
    client.force_login(pseb)
    response = client.post(
        _url(Lease, "change", lease.pk),
        {
            "company": lease.company_id,
            "park": lease.park_id,
            "start_date": "2020-01-01",
            "end_date": str(lease.start_date + timedelta(days=3)),
            "units": [str(_free_unit().pk)],
            "lease_units-TOTAL_FORMS": "0",
            "lease_units-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 403
    lease.refresh_from_db()
    assert (lease.start_date, lease.end_date, list(lease.lease_units.values_list())) == before


def test_lease_page_in_the_admin_links_to_the_portal_termination(client, pseb):
    lease = Lease.objects.filter(terminated_at__isnull=True).order_by("pk").first()
    client.force_login(pseb)
    page = client.get(_url(Lease, "change", lease.pk)).content.decode()
    assert reverse("tenants:lease_terminate", args=[lease.pk]) in page


def _action(client, model, name: str, objects, **extra):
    data = {"action": name, ACTION_CHECKBOX_NAME: [str(o.pk) for o in objects], **extra}
    return client.post(_url(model, "changelist"), data)


def test_admin_reject_action_records_the_transition_and_emails_the_company(
    client, pseb, django_capture_on_commit_callbacks
):
    application = Application.objects.filter(status="under_review").first()
    client.force_login(pseb)
    page = _action(client, Application, "reject", [application])
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()

    refused = _action(client, Application, "reject", [application], confirm="yes", reason="")
    assert refused.status_code == 200  # the page again, asking for the reason
    application.refresh_from_db()
    assert application.status == "under_review"

    mail.outbox.clear()
    dotted = "tenants.services.application_transition"
    with (
        mock.patch(dotted, wraps=import_string(dotted)) as service,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _action(
            client, Application, "reject", [application], confirm="yes", reason="No space."
        )
    assert response.status_code == 302
    service.assert_called_once()
    application.refresh_from_db()
    assert application.status == "rejected"
    transition = application.transitions.order_by("-pk").first()
    assert (transition.action, transition.actor) == ("reject", pseb)
    assert transition.comment == "No space."
    assert len(mail.outbox) >= 1
    assert any("No space." in message.body for message in mail.outbox)


def test_admin_transition_refused_by_the_workflow_is_a_message_not_a_500(client, pseb):
    draft = Application.objects.filter(status="draft").first()
    client.force_login(pseb)
    response = _action(client, Application, "review", [draft], confirm="yes", reason="")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(f"Application #{draft.pk}" in m for m in messages)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not ApplicationTransition.objects.filter(application=draft, action="review").exists()


def _applied_scheme() -> SubsidyScheme:
    scheme = SubsidyScheme.objects.filter(windows__isnull=False).distinct().first()
    assert scheme is not None, "the demo bills months, so its scheme is applied"
    return scheme


def test_scheme_admin_shows_an_applied_schemes_rules_read_only(client, pseb):
    scheme = _applied_scheme()
    data = _form_data(admin.site._registry[SubsidyScheme], _request(pseb), scheme)
    assert set(data) == SubsidyScheme.EDITABLE_ONCE_APPLIED
    client.force_login(pseb)
    response = client.post(
        _url(SubsidyScheme, "change", scheme.pk), {**data, "rent_pct": "90", "parks": []}
    )
    assert response.status_code == 302
    rent_pct = scheme.rent_pct
    scheme.refresh_from_db()
    assert scheme.rent_pct == rent_pct


def test_scheme_admin_refuses_a_change_to_an_applied_scheme_with_the_services_message(client, pseb):
    scheme = _applied_scheme()
    data = _form_data(admin.site._registry[SubsidyScheme], _request(pseb), scheme)
    data["valid_to"] = "2022-07-01"  # before the latest window the scheme opened
    client.force_login(pseb)
    dotted = "subsidies.services.scheme_update"
    with mock.patch(dotted, wraps=import_string(dotted)) as service:
        response = client.post(_url(SubsidyScheme, "change", scheme.pk), data)
    assert response.status_code == 200
    service.assert_called_once()
    assert "Statements use a window of this scheme opened on" in response.content.decode()
    scheme.refresh_from_db()
    assert scheme.valid_to != date(2022, 7, 1)


def test_every_money_and_workflow_admin_is_read_only(pseb):
    from subsidies.models import BillingRun, Charge, CreditNote, Payment, Statement
    from tenants.models import ApplicationTransition, LeaseUnit

    request = _request(pseb)
    for model in (Statement, Payment, CreditNote, Charge, BillingRun, LeaseUnit):
        model_admin = admin.site._registry[model]
        assert not _declared(model_admin), model
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    for model in (Application, Lease, ApplicationTransition):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


# --- Accounts and the third-party security records ------------------------------------------
def test_admin_sets_no_passwords_people_reset_their_own(client, pseb):
    user = User.objects.exclude(pk=pseb.pk).first()
    client.force_login(pseb)
    response = client.get(f"/admin/accounts/user/{user.pk}/password/")
    assert response.status_code in (302, 404)  # no such page (the admin redirects unknown paths)
    assert "password" not in _form_data(admin.site._registry[User], _request(pseb), user)


def test_admin_revoke_action_revokes_an_api_token_through_the_service(client, pseb):
    from knox.models import AuthToken

    from accounts.services import api_token_create

    token, _ = api_token_create(user=User.objects.filter(role="company").first())
    client.force_login(pseb)
    dotted = "accounts.services.api_token_revoke"
    with mock.patch(dotted, wraps=import_string(dotted)) as service:
        response = _action(client, AuthToken, "revoke", [token])
    assert response.status_code == 302
    service.assert_called_once()
    assert not AuthToken.objects.filter(pk=token.pk).exists()


def test_admin_remove_authenticator_action_makes_the_user_enrol_again(client, pseb):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    manager = User.objects.filter(role="park_manager").first()
    device = TOTPDevice.objects.create(user=manager, name="Phone", confirmed=True)
    client.force_login(pseb)
    page = client.get(_url(TOTPDevice, "change", device.pk)).content.decode()
    assert device.key not in page
    dotted = "accounts.services.two_factor_devices_remove"
    with mock.patch(dotted, wraps=import_string(dotted)) as service:
        response = _action(client, TOTPDevice, "remove_authenticator", [device])
    assert response.status_code == 302
    service.assert_called_once()
    assert not TOTPDevice.objects.filter(user=manager).exists()


def test_admin_unlock_action_lifts_a_sign_in_lock_out(client, pseb, settings):
    from axes.models import AccessAttempt

    settings.AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
    attempt = AccessAttempt.objects.create(
        username="owner.one",
        ip_address="203.0.113.9",
        user_agent="x",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/sign-in/",
        failures_since_start=99,
    )
    client.force_login(pseb)
    dotted = "accounts.services.sign_in_unlock"
    with mock.patch(dotted, wraps=import_string(dotted)) as service:
        response = _action(client, AccessAttempt, "unlock", [attempt])
    assert response.status_code == 302
    service.assert_called_once()
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
