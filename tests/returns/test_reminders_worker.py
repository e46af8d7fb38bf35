"""Reminders sent once with a real worker and beat (issue 11: "reminders sent once, with a real
worker and beat in CI"), against Redis and PostgreSQL.

``celery beat`` runs with the reminders scheduled every second (tests/returns/worker_settings.py)
for two days at once, 5 January 2027 (2026-27 Q2 is due in 5 days) and 11 January (the day
after). Beat runs many times before the worker starts, so every run claims the same
reminders and queues a send of each; the worker's 8 processes then race to send them (two
at a time for each reminder; a send takes half a second).
E-mails go to files the test reads. Each reminder is sent exactly once, to each owner once;
a claim a dead worker left unsent is sent too.

CI runs it (``STP_REQUIRE_SERVICES=1``); elsewhere it is skipped without PostgreSQL and Redis.
"""

from __future__ import annotations

import email
from datetime import date
from email import policy
from pathlib import Path

import pytest

from core.calendar import FiscalQuarter
from core.vocabulary import MemberRole, ReminderKind
from returns.models import ReturnReminder
from returns.selectors import quarter_row
from returns.services import progress_return_file
from tests import factories
from tests.returns.support import figures, tenant
from tests.subsidies.worker_support import in_flight, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

Q2 = FiscalQuarter(2026, 2)
DAYS = "2027-01-05,2027-01-11"
BEAT_RUNS = 10  # beat's sends of the task, both days together


def owners_in(park, *addresses: str, start=date(2026, 10, 1)):
    """A company leasing in ``park``, whose owners have ``addresses``, and a member."""
    user, company = tenant(park, start=start)
    user.email = addresses[0]
    user.save()
    for address in addresses[1:]:
        factories.MembershipFactory(company=company, user__email=address)
    factories.MembershipFactory(
        company=company, role=MemberRole.MEMBER, user__email=f"member.{addresses[0]}"
    )
    return user, company


def e_mails(folder: Path) -> list[tuple[str, str]]:
    """(to, subject) of every message the file-based backend wrote into ``folder``."""
    found = []
    for path in folder.iterdir():
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk, policy=policy.default)
                found.append((str(message["To"]), str(message["Subject"])))
    return sorted(found)


def test_beat_and_a_real_worker_send_each_reminder_once(
    start_worker, start_beat, queue, broker, tmp_path, park, other_park
):
    # given: two companies owing 2026-27 Q2, one of them with two owners; a third has filed
    _, alpha = owners_in(park, "one@alpha.pk", "two@alpha.pk")
    _, beta = owners_in(other_park, "one@beta.pk", start=date(2026, 12, 31))
    filer, gamma = owners_in(park, "one@gamma.pk")
    progress_return_file(
        user=filer, company=gamma, park=park, quarter=Q2, figures=figures(), today=date(2027, 1, 2)
    )
    # ... and a worker died sending beta's first reminder: claimed, never marked sent.
    ReturnReminder.objects.create(
        company=beta, park=other_park, quarter=quarter_row(Q2), kind=ReminderKind.BEFORE_DUE
    )
    mail = tmp_path / "mail"
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.returns.worker_settings",
        "STP_TEST_EMAIL_DIR": str(mail),
        "STP_TEST_REMINDER_DAYS": DAYS,
    }

    # when: beat runs the reminders many times over before a worker takes them (each run
    # then queues a send of every reminder not sent yet), and a worker with 8 processes
    # handles them all: 2 sends of each reminder at a time, racing each other
    beat = start_beat(**env)
    wait_for(
        f"{BEAT_RUNS} beat runs",
        lambda: beat.output(10_000).count("Sending due task") >= BEAT_RUNS,
        60,
        [beat],
    )
    beat.kill()
    assert broker.llen(queue) >= BEAT_RUNS
    worker = start_worker(concurrency=8, **env)
    wait_for("the queue to drain", lambda: in_flight(broker, queue) == 0, 60, [worker, beat])
    log = worker.output(100_000)
    assert log.count("send_return_reminder[") > 4 * 2  # many sends of each reminder

    # then: one reminder per return and kind, each e-mailed once to each owner
    reminders = ReturnReminder.objects.order_by("company__name", "kind")
    assert sorted((r.company_id, r.kind, r.sent_at is not None) for r in reminders) == sorted(
        (company.pk, kind, True)
        for company in (alpha, beta)
        for kind in (ReminderKind.BEFORE_DUE, ReminderKind.OVERDUE)
    )
    sent = e_mails(mail)
    assert [(to, subject.split(":")[0]) for to, subject in sent] == [
        ("one@alpha.pk", "Progress return due on 10 January 2027"),
        ("one@alpha.pk", "Progress return overdue"),
        ("one@beta.pk", "Progress return due on 10 January 2027"),
        ("one@beta.pk", "Progress return overdue"),
        ("two@alpha.pk", "Progress return due on 10 January 2027"),
        ("two@alpha.pk", "Progress return overdue"),
    ]
    for to, subject in sent:
        company = alpha if to.endswith("alpha.pk") else beta
        assert f"{company.name} at " in subject
