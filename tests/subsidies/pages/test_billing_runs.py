"""The billing pages (domain.md §6): PSEB staff start runs and follow them; anyone else
gets 404.
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import Period
from core.vocabulary import RunStatus
from subsidies import services
from subsidies.models import BillingRun, Statement
from tests.subsidies.pages.support import ISSUED, MARCH, signed_in, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["company_user", "park_manager"])
def test_billing_pages_are_404_for_anyone_but_pseb_staff(client, request, role, run):
    signed_in(client, request.getfixturevalue(role))
    assert client.get(reverse("subsidies:billing_run_list")).status_code == 404
    assert client.post(reverse("subsidies:billing_run_list"), {"period": MARCH}).status_code == 404
    assert client.get(reverse("subsidies:billing_run_detail", args=[run.pk])).status_code == 404
    assert BillingRun.objects.count() == 1


def test_pseb_staff_see_the_runs_and_a_form_for_last_month(client, pseb_staff, run):
    response = signed_in(client, pseb_staff).get(reverse("subsidies:billing_run_list"))
    assert response.status_code == 200
    last_month = Period.of(timezone.localdate()).previous()
    assert response.context["form"]["period"].value() == str(last_month)
    body = text(response)
    assert f"#{run.pk}" in body
    assert "2026-03" in body
    assert "Start a run" in body


def test_pseb_staff_start_a_run_and_land_on_its_page(
    client, pseb_staff, park, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = signed_in(client, pseb_staff).post(
            reverse("subsidies:billing_run_list"), {"period": MARCH, "park": park.pk}
        )
    run = BillingRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("subsidies:billing_run_detail", args=[run.pk])
    assert (run.period, run.park, run.requested_by) == (date(2026, 3, 1), park, pseb_staff)
    assert len(queued) == 1  # the worker is asked once the run is saved


def test_a_month_not_ended_shows_the_services_message_and_starts_nothing(client, pseb_staff):
    this_month = str(Period.of(timezone.localdate()))
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:billing_run_list"), {"period": this_month}
    )
    assert response.status_code == 200
    (error,) = response.context["form"].errors["period"]
    assert "has not ended yet" in error
    assert "has not ended yet" in text(response)
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize("period", ["", "2026-13", "03/2026", "2026-03-01"])
def test_a_badly_written_run_period_is_a_field_error(client, pseb_staff, period):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:billing_run_list"), {"period": period}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["period"]
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize("park", ["99999999999999999999999", "-99999999999999999999", "abc"])
def test_a_park_that_is_no_park_is_a_field_error_on_a_run(client, pseb_staff, park):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:billing_run_list"), {"period": MARCH, "park": park}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors["park"][0]
    assert not BillingRun.objects.exists()


def test_the_run_page_refreshes_itself_only_while_the_run_is_queued_or_running(
    client, pseb_staff, lease
):
    queued = services.billing_run_start(user=pseb_staff, period=MARCH, today=ISSUED, queue=False)
    url = reverse("subsidies:billing_run_detail", args=[queued.pk])
    refresh = '<meta http-equiv="refresh" content="3">'
    signed_in(client, pseb_staff)

    assert refresh in client.get(url).content.decode()  # queued

    chunk_ids = services.billing_run_plan(queued.pk)
    running = client.get(url).content.decode()
    assert refresh in running
    assert '<progress id="run-progress" max="1" value="0">' in running

    for chunk_id in chunk_ids:
        services.billing_chunk_bill(chunk_id, today=ISSUED)
    done = client.get(url)
    assert done.context["run"].status == RunStatus.DONE
    page = done.content.decode()
    assert refresh not in page
    assert '<progress id="run-progress" max="1" value="1">' in page
    assert Statement.objects.get().number in page


def test_the_run_page_shows_counts_times_and_errors(client, pseb_staff, park, run):
    run.errors = [{"park": park.pk, "error": "RuntimeError: the printer is on fire"}]
    run.status = RunStatus.FAILED
    run.save()
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:billing_run_detail", args=[run.pk])
    )
    body = text(response)
    assert "Failed" in body
    assert "Gujranwala STP" in body
    assert "RuntimeError: the printer is on fire" in body
    assert "Statements issued" in body
    assert len(response.context["page"].object_list) == 2
    assert run.started_at is not None
    assert "not yet" not in body


def test_an_unknown_run_is_404(client, pseb_staff):
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:billing_run_detail", args=[424242])
    )
    assert response.status_code == 404
