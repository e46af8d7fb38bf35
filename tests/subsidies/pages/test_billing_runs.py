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
from tests.factories import LeaseFactory
from tests.subsidies.pages.support import ISSUED, MARCH, signed_in, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["company_user", "park_manager"])
def test_billing_pages_are_404_for_anyone_but_pseb_staff(client, request, role, run):
    signed_in(client, request.getfixturevalue(role))
    assert client.get(reverse("subsidies:billing_run_list")).status_code == 404
    assert client.post(reverse("subsidies:billing_run_list"), {"period": MARCH}).status_code == 404
    assert preview_page(client).status_code == 404
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
    assert "Preview the run" in body
    assert f'action="{reverse("subsidies:billing_run_preview")}"' in body


def preview_page(client, period=MARCH, park=""):
    return client.get(reverse("subsidies:billing_run_preview"), {"period": period, "park": park})


def confirm(client, response, **changes):
    """Post the preview page's confirmation form as it stands (``changes`` tamper with it)."""
    data = {
        name: field.value() for name, field in [(f.name, f) for f in response.context["confirm"]]
    }
    data = {k: "" if v is None else str(v) for k, v in data.items()}
    return client.post(reverse("subsidies:billing_run_list"), {**data, **changes})


def test_a_preview_with_nothing_to_issue_offers_no_confirmation(client, pseb_staff, park):
    # no lease in the park: the month has nothing to bill
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:billing_run_preview"), {"period": MARCH, "park": park.pk}
    )
    assert response.status_code == 200
    body = text(response)
    assert "Nothing to issue" in body
    assert "Confirm and issue" not in body


def test_pseb_staff_preview_a_run_and_confirm_it_to_land_on_its_page(
    client, pseb_staff, park, lease, django_capture_on_commit_callbacks
):
    signed_in(client, pseb_staff)
    # when PSEB previews March for the park
    response = preview_page(client, park=park.pk)
    # then the page shows what the run would issue, and nothing is issued yet
    assert response.status_code == 200
    body = text(response)
    assert "Gujranwala STP" in body
    assert "35,645.17" in body  # gross
    assert "-10,967.75" in body  # subsidy
    assert "24,677.42" in body  # net
    assert "Confirm and issue 1 statement" in body
    assert not BillingRun.objects.exists()
    # and the confirmation starts the run
    with django_capture_on_commit_callbacks() as queued:
        confirmed = confirm(client, response)
    run = BillingRun.objects.get()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("subsidies:billing_run_detail", args=[run.pk])
    assert (run.period, run.park, run.requested_by) == (date(2026, 3, 1), park, pseb_staff)
    assert len(queued) == 1  # the worker is asked once the run is saved


def test_a_run_posted_without_a_preview_is_sent_to_the_preview_and_starts_nothing(
    client, pseb_staff, park
):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:billing_run_list"), {"period": MARCH, "park": park.pk}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("subsidies:billing_run_preview"))
    assert not BillingRun.objects.exists()


def test_a_confirmation_of_a_preview_that_changed_shows_the_new_preview_and_starts_nothing(
    client, pseb_staff, park, lease
):
    signed_in(client, pseb_staff)
    response = preview_page(client)
    LeaseFactory(park=park, start_date=date(2026, 3, 1))  # recorded meanwhile
    confirmed = confirm(client, response)
    assert confirmed.status_code == 302
    assert not BillingRun.objects.exists()
    again = client.get(confirmed["Location"])
    assert "has changed since the preview" in text(again)
    assert "Confirm and issue 2 statements" in text(again)


def test_a_tampered_fingerprint_starts_nothing(client, pseb_staff, lease):
    signed_in(client, pseb_staff)
    confirm(client, preview_page(client), fingerprint="0" * 32)
    assert not BillingRun.objects.exists()


def test_a_month_not_ended_shows_the_services_message_and_starts_nothing(client, pseb_staff):
    this_month = str(Period.of(timezone.localdate()))
    response = preview_page(signed_in(client, pseb_staff), period=this_month)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["period"]
    assert "has not ended yet" in error
    assert "has not ended yet" in text(response)
    assert response.context["preview"] is None
    posted = client.post(
        reverse("subsidies:billing_run_list"), {"period": this_month, "fingerprint": "x"}
    )
    assert "has not ended yet" in text(posted)
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize("period", ["", "2026-13", "03/2026", "2026-03-01"])
def test_a_badly_written_run_period_is_a_field_error(client, pseb_staff, period):
    response = preview_page(signed_in(client, pseb_staff), period=period)
    assert response.status_code == 200
    assert response.context["form"].errors["period"]
    posted = client.post(reverse("subsidies:billing_run_list"), {"period": period})
    assert posted.status_code == 200
    assert posted.context["form"].errors["period"]
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize("park", ["99999999999999999999999", "-99999999999999999999", "abc"])
def test_a_park_that_is_no_park_is_a_field_error_on_a_run(client, pseb_staff, park):
    response = preview_page(signed_in(client, pseb_staff), park=park)
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors["park"][0]
    assert not BillingRun.objects.exists()


def test_the_preview_page_reads_as_many_queries_for_many_parks_as_for_one(
    client, pseb_staff, lease, other_lease, django_assert_max_num_queries
):
    signed_in(client, pseb_staff)
    with django_assert_max_num_queries(20):
        assert preview_page(client).context["preview"].statements == 2


def test_the_run_page_shows_what_it_issued_per_park_and_overall(
    client, pseb_staff, run, django_assert_max_num_queries
):
    signed_in(client, pseb_staff)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("subsidies:billing_run_detail", args=[run.pk]))
    totals = {t.park: (t.statements, t.gross, t.subsidy, t.net) for t in response.context["totals"]}
    issued = Statement.objects.filter(billing_run=run)
    assert totals == {s.park.name: (1, s.gross, s.subsidy_total, s.net_payable) for s in issued}
    overall = response.context["overall"]
    assert overall["statements"] == 2
    assert overall["net"] == sum(s.net_payable for s in issued)
    assert "What this run issued" in text(response)


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
