"""``manage.py run_billing --period YYYY-MM [--park CODE] [--sync]`` (api.md)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from subsidies.models import BillingRun, Statement
from tests.factories import LeaseFactory, MembershipFactory, SubsidySchemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leases(park, other_park):
    SubsidySchemeFactory()
    owner = MembershipFactory(user__email="owner@example.pk")
    return [
        LeaseFactory(park=park, company=owner.company, start_date=date(2026, 3, 15)),
        LeaseFactory(park=other_park, start_date=date(2026, 3, 1)),
    ]


def test_sync_bills_in_this_process_with_pdfs_and_emails(leases, mailoutbox):
    out = StringIO()
    call_command("run_billing", "--period", "2026-03", "--sync", stdout=out)
    assert "2 statement(s) issued" in out.getvalue()
    statements = Statement.objects.order_by("park__code")
    assert [s.park.code for s in statements] == ["GLT", "GUJ"]
    assert all(s.pdf.read(5) == b"%PDF-" for s in statements)
    guj = statements.get(park__code="GUJ")
    assert str(guj.net_payable) == "24677.42"
    assert [m.to for m in mailoutbox] == [["owner@example.pk"]]
    assert mailoutbox[0].attachments[0][0] == f"{guj.number}.pdf"


def test_one_park_only(leases):
    call_command("run_billing", "--period", "2026-03", "--park", "guj", "--sync", stdout=StringIO())
    assert list(Statement.objects.values_list("park__code", flat=True)) == ["GUJ"]


def test_without_sync_the_run_is_queued_for_the_worker(leases, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("run_billing", "--period", "2026-03", stdout=out)
    assert "queued for the worker" in out.getvalue()
    assert len(callbacks) >= 1  # the plan task, sent once the run is committed
    # Tasks run in-process in tests, so the queued run has been done.
    run = BillingRun.objects.get()
    assert (run.status, run.issued) == ("done", 2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "YYYY-MM"),
        (["--period", "2999-12"], "has not ended"),
        (["--period", "2026-03", "--park", "NOPE"], "No park"),
    ],
)
def test_bad_arguments_say_what_is_wrong_and_bill_nothing(leases, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("run_billing", *args, stdout=StringIO())
    assert not BillingRun.objects.exists()
    assert not Statement.objects.exists()
