"""Chasing returns (domain.md §4a): the owners are e-mailed 5 days before the due date and the
day after it while the return is not filed, each reminder once per return and kind
(``returns.reminders``). 2026-27 Q2 is due on 10 January 2027 throughout."""

from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse, set_script_prefix
from django.utils import timezone

from core.calendar import FiscalQuarter
from core.vocabulary import MemberRole, ReminderKind
from returns import reminders, tasks
from returns.models import ReturnReminder
from returns.notifications import return_reminder
from returns.selectors import owed_key, quarter_row
from returns.services import progress_return_file
from stp_portal.celery import app
from tests import factories
from tests.returns.support import figures, tenant

pytestmark = pytest.mark.django_db

KARACHI = ZoneInfo("Asia/Karachi")
Q2 = FiscalQuarter(2026, 2)  # October-December 2026, due 10 January 2027
FIVE_DAYS_BEFORE = date(2027, 1, 5)
DAY_AFTER = date(2027, 1, 11)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Beat's daily run for a day, its queued sends run once it has committed."""

    def run(today: date) -> list[int]:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.return_reminders_queue(today=today)

    return run


@pytest.fixture
def owner(park):
    """The owner of a company leasing in ``park`` since July 2026 (owes Q1 and Q2), with a
    member who files but is not reminded."""
    user, company = tenant(park, start=date(2026, 7, 1))
    user.email = "owner@alpha.pk"
    user.save()
    factories.MembershipFactory(
        company=company, role=MemberRole.MEMBER, user__email="member@alpha.pk"
    )
    return user


def filed(user, company, park):
    """``company``'s Q2 return in ``park``, filed on 2 January 2027."""
    return progress_return_file(
        user=user, company=company, park=park, quarter=Q2, figures=figures(), today=date(2027, 1, 2)
    )


def sent(mailoutbox) -> list[tuple[str, str]]:
    return sorted((mail.to[0], mail.subject) for mail in mailoutbox)


def test_owners_are_reminded_five_days_before_the_due_date(owner, park, run, mailoutbox):
    company = owner.memberships.get().company
    run(FIVE_DAYS_BEFORE)
    assert sent(mailoutbox) == [
        (
            "owner@alpha.pk",
            f"Progress return due on 10 January 2027: {company.name} at {park.name}, 2026-27 Q2",
        )
    ]
    (mail,) = mailoutbox
    key = owed_key(company.pk, park.pk, quarter_row(Q2).pk)
    assert f"{settings.SITE_URL}{reverse('returns:detail', kwargs={'key': key})}" in mail.body
    assert f"{settings.SITE_URL}/returns/{key}/" in mail.body
    assert "is due on 10 January 2027" in mail.body
    assert f"{company.name} at {park.name} for 2026-27 Q2" in mail.body
    reminder = ReturnReminder.objects.get()
    assert (reminder.kind, reminder.recipients) == (ReminderKind.BEFORE_DUE, "owner@alpha.pk")
    assert reminder.sent_at is not None


def test_no_reminder_six_days_before_the_due_date(owner, run, mailoutbox):
    assert run(date(2027, 1, 4)) == []
    assert mailoutbox == []
    assert not ReturnReminder.objects.exists()


def test_owners_are_told_the_day_after_the_due_date_that_it_is_overdue(
    owner, park, run, mailoutbox
):
    assert run(date(2027, 1, 10)) != []  # the due date: still the before-due reminder
    mailoutbox.clear()
    run(DAY_AFTER)
    (mail,) = mailoutbox
    assert mail.subject.startswith("Progress return overdue:")
    assert "was due on 10 January 2027" in mail.body
    assert ReturnReminder.objects.get(kind=ReminderKind.OVERDUE).sent_at is not None


def test_no_reminder_for_a_filed_return(owner, park, run, mailoutbox):
    company = owner.memberships.get().company
    filed(owner, company, park)
    run(FIVE_DAYS_BEFORE)
    run(DAY_AFTER)
    assert mailoutbox == []
    assert not ReturnReminder.objects.exists()


def test_only_the_owners_of_the_company_owing_the_return_are_e_mailed(
    owner, park, other_park, run, mailoutbox
):
    other_owner, other_company = tenant(other_park, start=date(2026, 11, 1))
    other_owner.email = "owner@beta.pk"
    other_owner.save()
    # A second owner without an address, and a filed return of a third company.
    factories.MembershipFactory(company=owner.memberships.get().company, user__email="")
    filer, filer_company = tenant(park, start=date(2026, 10, 1))
    filed(filer, filer_company, park)
    run(FIVE_DAYS_BEFORE)
    assert [(to, other_company.name in subject) for to, subject in sent(mailoutbox)] == [
        ("owner@alpha.pk", False),
        ("owner@beta.pk", True),
    ]


def test_beat_running_twice_sends_each_reminder_once(owner, park, other_park, run, mailoutbox):
    tenant(other_park, start=date(2026, 12, 31))
    for today in (FIVE_DAYS_BEFORE, FIVE_DAYS_BEFORE, date(2027, 1, 6), date(2027, 1, 10)):
        run(today)
    for today in (DAY_AFTER, DAY_AFTER, date(2027, 1, 12)):
        run(today)
    assert len(mailoutbox) == 4  # two returns, two kinds
    assert ReturnReminder.objects.filter(sent_at__isnull=False).count() == 4


def test_a_claimed_reminder_left_unsent_goes_with_the_next_run_and_a_sent_one_never_again(
    owner, park, run, mailoutbox
):
    company = owner.memberships.get().company
    quarter = quarter_row(Q2)
    # As a worker killed mid-send leaves it: claimed, never committed as sent.
    left = ReturnReminder.objects.create(
        company=company, park=park, quarter=quarter, kind=ReminderKind.BEFORE_DUE
    )
    assert run(FIVE_DAYS_BEFORE) == [left.pk]
    assert len(mailoutbox) == 1
    left.refresh_from_db()
    first_sent = left.sent_at
    assert first_sent is not None
    assert run(date(2027, 1, 6)) == []
    assert reminders.return_reminder_send(left.pk) is False  # a redelivered task
    assert len(mailoutbox) == 1
    left.refresh_from_db()
    assert left.sent_at == first_sent


def test_a_send_that_fails_commits_nothing_and_the_next_run_sends_it(owner, park, run, mailoutbox):
    with (
        mock.patch.object(reminders.notifications, "return_reminder", side_effect=OSError),
        pytest.raises(Retry),  # the mail server is down: the task is retried later
    ):
        run(FIVE_DAYS_BEFORE)
    reminder = ReturnReminder.objects.get()  # the claim committed before the send
    assert reminder.sent_at is None
    assert mailoutbox == []
    run(date(2027, 1, 6))
    assert len(mailoutbox) == 1
    reminder.refresh_from_db()
    assert reminder.sent_at is not None


def test_a_return_filed_after_its_reminder_was_claimed_gets_none(owner, park, run, mailoutbox):
    company = owner.memberships.get().company
    claimed = ReturnReminder.objects.create(
        company=company, park=park, quarter=quarter_row(Q2), kind=ReminderKind.BEFORE_DUE
    )
    filed(owner, company, park)
    assert reminders.return_reminder_send(claimed.pk) is False
    assert mailoutbox == []
    assert not ReturnReminder.objects.exists()


def test_a_reminder_missed_for_a_week_is_not_sent_late(owner, run, mailoutbox):
    run(date(2027, 1, 18))  # the overdue reminder's window ended on the 17th
    assert mailoutbox == []


def test_the_claims_take_a_bounded_number_of_queries(
    park, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    tenant(park, start=date(2026, 7, 1))
    with django_assert_max_num_queries(6):
        few = reminders.return_reminders_queue(today=FIVE_DAYS_BEFORE)
    for _ in range(30):
        tenant(park, start=date(2026, 7, 1))
    with django_assert_max_num_queries(6):
        many = reminders.return_reminders_queue(today=FIVE_DAYS_BEFORE)
    assert (len(few), len(many)) == (1, 31)


# --- the command and the schedule --------------------------------------------------------------
def test_the_command_sends_the_reminders_of_the_day_given(
    owner, mailoutbox, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_return_reminders", "--date", "2027-01-05")
    assert "1 reminder(s) to send for 2027-01-05 queued." in capsys.readouterr().out
    assert len(mailoutbox) == 1


def test_the_command_sends_today_s_reminders_by_default(
    owner, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(timezone, "localdate", return_value=DAY_AFTER),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("send_return_reminders")
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Progress return overdue"]


@pytest.mark.parametrize("given", ["2027-13-01", "next week", "9999-01-01"])
def test_the_command_refuses_a_date_it_cannot_read(given):
    with pytest.raises(CommandError):
        call_command("send_return_reminders", "--date", given)


def test_beat_sends_reminders_daily_at_nine_karachi_time():
    entry = settings.CELERY_BEAT_SCHEDULE["send-return-reminders"]
    assert entry["task"] == tasks.send_return_reminders.name
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert (schedule.minute, schedule.hour) == ({0}, {9})
    assert settings.CELERY_TIMEZONE == "Asia/Karachi"
    now = datetime(2027, 1, 4, 9, 30, tzinfo=KARACHI)
    schedule.nowfun = lambda: now
    remaining = schedule.remaining_estimate(datetime(2027, 1, 4, 9, 0, tzinfo=KARACHI))
    assert now + remaining == datetime(2027, 1, 5, 9, 0, tzinfo=KARACHI)


@pytest.mark.parametrize("name", ["send_return_reminders", "send_return_reminder"])
def test_reminder_tasks_are_acknowledged_late_and_retried(name):
    task = getattr(tasks, name)
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.max_retries
    assert OSError in task.autoretry_for


def test_the_beat_task_takes_a_day_as_text(owner, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_return_reminders.delay("2027-01-05").get() == 1
    assert len(mailoutbox) == 1


def test_the_reminders_link_is_the_returns_page_wherever_it_is_served(owner, park, mailoutbox):
    company = owner.memberships.get().company
    key = owed_key(company.pk, park.pk, quarter_row(Q2).pk)
    reminder = ReturnReminder(
        company=company, park=park, quarter=quarter_row(Q2), kind=ReminderKind.OVERDUE
    )
    set_script_prefix("/portal/")  # served under a path: reverse() knows it, a literal not
    try:
        assert return_reminder(reminder, key=key, to=["owner@alpha.pk"]) == 1
    finally:
        set_script_prefix("/")
    assert f"{settings.SITE_URL}/portal/returns/{key}/" in mailoutbox[0].body
