"""The billing tasks and their schedule (issue: beat bills the previous month on the 1st at
02:00 Asia/Karachi; tasks are thin, idempotent and survive a lost worker)."""

from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from stp_portal.celery import app
from subsidies import tasks
from subsidies.models import BillingRun

KARACHI = ZoneInfo("Asia/Karachi")


def test_beat_bills_on_the_first_at_two_in_the_morning_karachi_time():
    entry = settings.CELERY_BEAT_SCHEDULE["bill-previous-month"]
    assert entry["task"] == tasks.bill_previous_month.name
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert (schedule.minute, schedule.hour, schedule.day_of_month) == ({0}, {2}, {1})
    assert settings.CELERY_TIMEZONE == "Asia/Karachi"
    # After the March run, the next one is at 02:00 on 1 April, Karachi time.
    now = datetime(2026, 3, 15, 9, 30, tzinfo=KARACHI)
    schedule.nowfun = lambda: now
    remaining = schedule.remaining_estimate(datetime(2026, 3, 1, 2, 0, tzinfo=KARACHI))
    assert now + remaining == datetime(2026, 4, 1, 2, 0, tzinfo=KARACHI)


def test_beat_looks_for_stalled_billing_runs_every_quarter_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["resume-stalled-billing-runs"]
    assert entry["task"] == tasks.resume_stalled_billing_runs.name
    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == {0, 15, 30, 45}
    assert entry["schedule"].hour == set(range(24))
    # Longer than the broker's own redelivery of a dead worker's tasks.
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility < settings.BILLING_RUN_STALLED_AFTER


@pytest.mark.parametrize(
    "name",
    [
        "plan_billing_run",
        "bill_chunk",
        "render_statements",
        "send_statement_email",
        "resume_stalled_billing_runs",
    ],
)
def test_billing_tasks_are_acknowledged_late_and_requeued_when_their_worker_dies(name):
    task = getattr(tasks, name)
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.max_retries
    assert task.autoretry_for


@pytest.mark.django_db
def test_the_scheduled_task_bills_the_month_just_ended(park):
    with (
        mock.patch("subsidies.tasks.timezone.localdate", return_value=date(2026, 4, 1)),
        mock.patch("subsidies.services.runs.timezone.localdate", return_value=date(2026, 4, 1)),
    ):
        run_id = tasks.bill_previous_month()
    run = BillingRun.objects.get(pk=run_id)
    assert run.period == date(2026, 3, 1)
    assert run.park is None
    assert run.requested_by is None
