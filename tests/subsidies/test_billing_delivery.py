"""Billing that survives the worker (domain.md §6): chunks billed again, tasks that give up,
a queue that cannot be reached, PDFs that fail, and runs or deliveries whose broker
messages were lost.
"""

from datetime import date, timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse

from core.vocabulary import RunStatus
from subsidies import services, tasks
from subsidies.models import BillingRun, Statement
from subsidies.services import runs as billing_runs
from tests.factories import (
    LeaseFactory,
)
from tests.subsidies.support import (
    ISSUED,
    MARCH,
    bill,
    stalled_after,
)

pytestmark = pytest.mark.django_db


def test_a_chunk_billed_again_queues_the_pdfs_its_first_worker_never_rendered(
    monkeypatch, park, scheme, django_capture_on_commit_callbacks
):
    # given a chunk billed by a worker that died before its PDFs were queued
    LeaseFactory(park=park, start_date=date(2026, 3, 1))
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    (chunk_id,) = services.billing_run_plan(run.pk)
    services.billing_chunk_bill(chunk_id, today=ISSUED, render=False)
    queued = []
    monkeypatch.setattr(tasks.render_statements, "delay", queued.append)
    # when the task is delivered again
    with django_capture_on_commit_callbacks(execute=True):
        assert services.billing_chunk_bill(chunk_id, today=ISSUED) == []
    # then nothing is issued twice, and the statement's PDF is queued
    assert queued == [[Statement.objects.get().pk]]
    assert Statement.objects.count() == 1


def test_a_chunk_whose_task_gives_up_is_recorded_and_the_run_finishes(park, scheme):
    LeaseFactory(park=park, start_date=date(2026, 3, 1))
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    (chunk_id,) = services.billing_run_plan(run.pk)
    # when the task has used up its retries (the database kept failing)
    tasks.bill_chunk.on_failure(OperationalError("server closed"), "id", (chunk_id,), {}, None)
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (RunStatus.FAILED, 1, 1)
    assert "OperationalError: server closed" in run.errors[0]["error"]
    assert bill().issued == 1  # a re-run bills it


def test_a_run_the_queue_cannot_take_says_so(monkeypatch, settings, park):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(tasks.plan_billing_run, "delay", broker_down)
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    billing_runs._queue_plan(run)
    assert run.status == RunStatus.FAILED
    assert "could not be reached" in run.errors[0]["error"]


def test_one_statement_that_cannot_render_does_not_stop_the_others(monkeypatch, park, scheme):
    from subsidies import pdf

    for _ in range(2):
        LeaseFactory(park=park, start_date=date(2026, 3, 1))
    bill()
    first, second = Statement.objects.order_by("pk")
    real = pdf.renderer().render

    def render(statement):
        if statement.pk == first.pk:
            raise pdf.StatementRenderError("a missing font")
        return real(statement)

    monkeypatch.setattr(pdf.renderer(), "render", render)
    assert services.statements_render([first.pk, second.pk]) == [second.pk]


def test_a_run_that_stopped_moving_is_resumed_and_finishes(
    monkeypatch, settings, django_capture_on_commit_callbacks, client, pseb_staff, park, scheme
):
    monkeypatch.setattr(billing_runs, "CHUNK_SIZE", 2)
    for _ in range(5):
        LeaseFactory(park=park, start_date=date(2026, 3, 1))
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    first, *_ = services.billing_run_plan(run.pk)
    services.billing_chunk_bill(first, today=ISSUED, render=False)
    # The broker lost the other chunks' messages: nothing moves any more.
    run.refresh_from_db()
    moved = run.progress_at
    assert (run.done, run.total, run.resumed) == (2, 5, 0)

    # Not yet stalled: left alone.
    assert services.billing_runs_resume_stalled(now=moved + stalled_after(settings)) == []
    run.refresh_from_db()
    assert (run.resumed, run.progress_at) == (0, moved)

    later = moved + stalled_after(settings) + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.billing_runs_resume_stalled(now=later) == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.done, run.issued, run.errors) == (RunStatus.DONE, 5, 5, [])
    assert run.resumed == 1
    assert Statement.objects.filter(park=park, period=MARCH.first).count() == 5
    assert not Statement.objects.filter(pdf="").exists()  # the resumed work rendered them too

    client.force_login(pseb_staff)
    page = client.get(reverse("subsidies:billing_run_detail", args=[run.pk])).content.decode()
    assert "Resumed</dt><dd>1 time," in page


def test_a_run_never_planned_is_resumed_from_its_request_time(
    settings, django_capture_on_commit_callbacks, park, scheme
):
    LeaseFactory(park=park, start_date=date(2026, 3, 1))
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    assert (run.status, run.progress_at) == (RunStatus.QUEUED, None)  # its plan task was lost
    later = run.created_at + stalled_after(settings) + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.billing_runs_resume_stalled(now=later) == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.resumed) == (RunStatus.DONE, 1, 1, 1)
    # It moved just now: the next look leaves it alone even if it had not finished.
    BillingRun.objects.filter(pk=run.pk).update(finished_at=None, status=RunStatus.RUNNING)
    next_look = run.progress_at + timedelta(minutes=15)
    assert services.billing_runs_resume_stalled(now=next_look) == []


def test_finished_runs_are_never_resumed(settings, park, scheme):
    LeaseFactory(park=park, start_date=date(2026, 3, 1))
    done = bill()
    failed = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    BillingRun.objects.filter(pk=failed.pk).update(
        status=RunStatus.FAILED, finished_at=failed.created_at
    )
    far_later = done.created_at + 10 * stalled_after(settings)
    assert services.billing_runs_resume_stalled(now=far_later) == []
    assert set(BillingRun.objects.values_list("resumed", flat=True)) == {0}


def test_statements_left_without_pdf_or_email_are_queued_again_once_stalled(
    settings, worked_example
):
    # given March billed (the PDF and e-mail tasks lost: bill() leaves them undone)
    run = bill()
    statement = Statement.objects.get()
    assert (statement.pdf, statement.emailed_at) == ("", None)
    assert run.status == RunStatus.DONE  # a finished run is not resumed
    issued_at = statement.created_at
    # not long enough ago: left alone
    assert services.statements_undelivered_resend(now=issued_at + stalled_after(settings)) == []
    # then it is rendered (tasks in-process here); delivered, it is not queued again
    later = issued_at + stalled_after(settings) + timedelta(seconds=1)
    assert services.statements_undelivered_resend(now=later) == [statement.pk]
    statement.refresh_from_db()
    assert statement.pdf
    assert statement.emailed_at is not None
    assert services.statements_undelivered_resend(now=later) == []


def test_undelivered_statements_of_a_running_run_or_over_a_week_old_are_not_queued(
    settings, worked_example
):
    run = bill()
    statement = Statement.objects.get()
    later = statement.created_at + stalled_after(settings) + timedelta(seconds=1)
    # a run still going delivers its own statements (or is resumed as a whole)
    BillingRun.objects.filter(pk=run.pk).update(finished_at=None, status=RunStatus.RUNNING)
    assert services.statements_undelivered_resend(now=later) == []
    BillingRun.objects.filter(pk=run.pk).update(finished_at=later, status=RunStatus.DONE)
    # a week on, retrying has not helped: a person looks at the logged failure instead
    week_on = statement.created_at + services.RESEND_FOR + timedelta(seconds=1)
    assert services.statements_undelivered_resend(now=week_on) == []
    assert services.statements_undelivered_resend(now=later) == [statement.pk]


def test_statements_go_to_the_worker_in_batches_of_render_batch(monkeypatch):
    # given more statements than one render task takes
    queued = []
    monkeypatch.setattr(tasks.render_statements, "delay", queued.append)
    ids = list(range(1, 2 * services.RENDER_BATCH + 8))
    # when they are delivered
    services.statements_deliver(ids)
    # then each task takes at most a batch, in order, and every statement is sent once
    assert [len(batch) for batch in queued] == [services.RENDER_BATCH, services.RENDER_BATCH, 7]
    assert [pk for batch in queued for pk in batch] == ids


def test_planning_a_run_sends_its_chunks_and_the_months_unfinished_statements(
    monkeypatch, park, scheme
):
    # given March billed without its PDFs, then another company's lease entered late
    LeaseFactory(park=park, start_date=date(2026, 3, 1))
    bill()
    LeaseFactory(park=park, start_date=date(2026, 3, 2))
    chunks, rendered = [], []
    monkeypatch.setattr(tasks.bill_chunk, "delay", chunks.append)
    monkeypatch.setattr(tasks.render_statements, "delay", rendered.append)
    # when a new run of March is planned on the worker
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    assert services.billing_run_dispatch(run.pk) == 1
    # then its chunk goes to bill_chunk, and the statement left without PDF to rendering
    assert chunks == list(run.chunks.values_list("pk", flat=True))
    assert rendered == [[Statement.objects.get().pk]]
