"""PSEB's review queue and workflow actions, and the dashboards:
the tenant pages end to end, with the Django test client (issue 3).

Every bad input answers the page again with a message and changes nothing; objects outside
a user's scope answer 404 (domain.md §1); a role that may see but not act gets 403.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.vocabulary import ApplicationStatus
from tenants.selectors import company_of
from tests.factories import (
    ApplicationFactory,
)
from tests.tenants.pages import REASON, text

pytestmark = pytest.mark.django_db


# --- Applications: the PSEB side ---------------------------------------------------------------
def listed(response) -> set[int]:
    return {a.pk for a in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"guj_submitted", "guj_review", "glt_submitted"}),  # drafts hidden
        ({"drafts": "on"}, {"guj_submitted", "guj_review", "guj_draft", "glt_submitted"}),
        ({"status": "draft"}, {"guj_draft"}),
        ({"park": "GUJ"}, {"guj_submitted", "guj_review"}),
        ({"park": "GUJ", "drafts": "on"}, {"guj_submitted", "guj_review", "guj_draft"}),
        ({"park": "GLT"}, {"glt_submitted"}),
        ({"status": "submitted"}, {"guj_submitted", "glt_submitted"}),
        ({"status": "under_review"}, {"guj_review"}),
        ({"city": "gilgit"}, {"glt_submitted"}),
        ({"submitted_after": "2026-10-15"}, {"guj_review", "glt_submitted"}),
        ({"submitted_before": "2026-10-15"}, {"guj_submitted", "guj_review"}),
        ({"submitted_after": "2026-10-02", "submitted_before": "2026-10-31"}, {"guj_review"}),
        ({"q": "karakoram"}, {"glt_submitted"}),
        ({"q": "drones"}, {"guj_submitted"}),
        ({"park": "GUJ", "status": "submitted"}, {"guj_submitted"}),
    ],
)
def test_the_review_queue_filters(client, pseb_staff, queue, query, expected):
    client.force_login(pseb_staff)
    response = client.get(reverse("tenants:application_list"), query)
    assert response.status_code == 200
    assert listed(response) == {queue[name].pk for name in expected}


def test_the_review_queue_lists_the_latest_submitted_first_and_drafts_last(
    client, pseb_staff, queue
):
    client.force_login(pseb_staff)
    response = client.get(reverse("tenants:application_list"), {"drafts": "on"})
    assert [a.pk for a in response.context["page"].object_list] == [
        queue[name].pk for name in ("glt_submitted", "guj_review", "guj_submitted", "guj_draft")
    ]


def test_the_review_queue_pages_keep_the_filters(client, pseb_staff, park, other_park):
    ApplicationFactory.create_batch(27, park=park, status="submitted", submitted_at=timezone.now())
    ApplicationFactory(park=other_park, status="submitted", submitted_at=timezone.now())
    client.force_login(pseb_staff)
    first = client.get(reverse("tenants:application_list"), {"park": "GUJ"})
    assert len(first.context["page"].object_list) == 25
    assert "?park=GUJ&page=2" in text(first)
    second = client.get(reverse("tenants:application_list"), {"park": "GUJ", "page": "2"})
    assert len(second.context["page"].object_list) == 2
    assert all(a.park_id == park.pk for a in second.context["page"].object_list)


def test_the_review_queue_finds_an_application_by_its_number(client, pseb_staff, queue):
    client.force_login(pseb_staff)
    wanted = queue["glt_submitted"]
    for q in (str(wanted.pk), f"#{wanted.pk}"):
        response = client.get(reverse("tenants:application_list"), {"q": q})
        assert wanted.pk in listed(response)


def test_a_bad_filter_shows_its_error_and_lists_nothing(client, pseb_staff, queue):
    client.force_login(pseb_staff)
    response = client.get(
        reverse("tenants:application_list"), {"status": "lost", "submitted_after": "someday"}
    )
    assert response.status_code == 200
    assert listed(response) == set()
    assert "Select a valid choice" in text(response)
    assert "Enter a valid date" in text(response)


def test_the_parks_manager_sees_only_their_parks_queue(client, park_manager, queue):
    client.force_login(park_manager)
    response = client.get(reverse("tenants:application_list"))
    # guj_draft was never submitted: it is still the company's own.
    assert listed(response) == {queue[n].pk for n in ("guj_submitted", "guj_review")}
    response = client.get(reverse("tenants:application_list"), {"park": "GLT"})
    assert listed(response) == set()


def test_a_company_user_lists_only_their_companys_applications(client, other_company_user, queue):
    mine = ApplicationFactory(company=company_of(other_company_user))
    client.force_login(other_company_user)
    assert listed(client.get(reverse("tenants:application_list"))) == {mine.pk}


def test_pseb_starts_the_review(client, pseb_staff, submitted):
    client.force_login(pseb_staff)
    response = client.post(
        reverse("tenants:application_transition", args=[submitted.pk, "review"]), follow=True
    )
    assert "is under review" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.UNDER_REVIEW


@pytest.mark.parametrize(("action", "status"), [("reject", "rejected"), ("return", "draft")])
def test_pseb_rejects_or_returns_with_a_reason_the_company_then_sees(
    client, pseb_staff, company_user, under_review, action, status
):
    client.force_login(pseb_staff)
    url = reverse("tenants:application_transition", args=[under_review.pk, action])
    # the first post asks to confirm, and changes nothing
    asked = client.post(url, {"reason": REASON})
    assert asked.status_code == 200
    assert 'name="confirm" value="1"' in text(asked)
    assert REASON in text(asked)
    under_review.refresh_from_db()
    assert under_review.status == ApplicationStatus.UNDER_REVIEW
    # the confirmation takes it
    client.post(url, {"reason": REASON, "confirm": "1"})
    under_review.refresh_from_db()
    assert under_review.status == status
    assert under_review.transitions.last().comment == REASON
    client.force_login(company_user)
    assert REASON in text(client.get(reverse("tenants:application_detail", args=[under_review.pk])))


@pytest.mark.parametrize("action", ["reject", "return"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_or_returning_without_a_reason_shows_a_message_and_changes_nothing(
    client, pseb_staff, under_review, action, reason
):
    client.force_login(pseb_staff)
    response = client.post(
        reverse("tenants:application_transition", args=[under_review.pk, action]),
        {"reason": reason},
        follow=True,
    )
    assert "Give a reason" in text(response)
    under_review.refresh_from_db()
    assert under_review.status == ApplicationStatus.UNDER_REVIEW
    assert under_review.transitions.count() == 2


def test_a_reason_too_long_is_refused_as_too_long_not_as_missing(client, pseb_staff, under_review):
    client.force_login(pseb_staff)
    response = client.post(
        reverse("tenants:application_transition", args=[under_review.pk, "reject"]),
        {"reason": "x" * 2001},
        follow=True,
    )
    assert "at most 2000 characters" in text(response)
    assert "Give a reason" not in text(response)
    under_review.refresh_from_db()
    assert under_review.status == ApplicationStatus.UNDER_REVIEW
    assert under_review.transitions.count() == 2


def test_a_comment_too_long_is_not_silently_dropped(client, company_user, submitted):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_transition", args=[submitted.pk, "withdraw"]),
        {"reason": "y" * 2001},
        follow=True,
    )
    assert "at most 2000 characters" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_the_detail_page_offers_pseb_the_review_actions(client, pseb_staff, under_review):
    client.force_login(pseb_staff)
    page = text(client.get(reverse("tenants:application_detail", args=[under_review.pk])))
    assert reverse("tenants:application_approve", args=[under_review.pk]) in page
    assert reverse("tenants:application_transition", args=[under_review.pk, "reject"]) in page
    assert reverse("tenants:application_transition", args=[under_review.pk, "return"]) in page
    assert reverse("tenants:application_transition", args=[under_review.pk, "withdraw"]) not in page


# --- Dashboard ---------------------------------------------------------------------------------
def test_the_company_dashboard_lists_its_own_applications_only(
    client, company_user, draft, other_company_user
):
    theirs = ApplicationFactory(company=company_of(other_company_user))
    client.force_login(company_user)
    response = client.get(reverse("dashboard"))
    assert [a.pk for a in response.context["applications"]] == [draft.pk]
    assert theirs.pk not in [a.pk for a in response.context["applications"]]


def test_a_new_company_user_is_asked_for_a_profile_on_the_dashboard(client, newcomer):
    response = client.get(reverse("dashboard"))
    assert response.context["needs_company"] is True


def test_the_park_managers_dashboard_counts_only_their_park(client, park_manager, queue):
    client.force_login(park_manager)
    response = client.get(reverse("dashboard"))
    counts = {status.value: n for status, n in response.context["queue"]}
    assert counts["submitted"] == 1
    assert counts["under_review"] == 1
    assert counts["draft"] == 0  # never submitted: not the manager's to see
    assert {a.pk for a in response.context["waiting"]} == {
        queue["guj_submitted"].pk,
        queue["guj_review"].pk,
    }


# --- The review queue: days waiting, sorting, drafts (issue 12 §8) ----------------------------
def order(response) -> list[int]:
    return [a.pk for a in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("company", ["guj_review", "guj_submitted", "glt_submitted"]),  # ties: latest first
        ("-submitted", ["glt_submitted", "guj_review", "guj_submitted"]),
        ("submitted", ["guj_submitted", "guj_review", "glt_submitted"]),
        ("-waiting", ["guj_submitted", "guj_review", "glt_submitted"]),  # longest wait first
        ("waiting", ["glt_submitted", "guj_review", "guj_submitted"]),
        ("park", ["guj_review", "guj_submitted", "glt_submitted"]),  # Gujranwala < SCO Gilgit
        ("-number", ["glt_submitted", "guj_review", "guj_submitted"]),
    ],
)
def test_the_review_queue_sorts_by_any_column(client, pseb_staff, queue, sort, expected):
    client.force_login(pseb_staff)
    response = client.get(reverse("tenants:application_list"), {"sort": sort})
    assert response.status_code == 200
    assert order(response) == [queue[name].pk for name in expected]


def test_sorted_by_days_waiting_a_decided_or_draft_application_comes_last(
    client, pseb_staff, queue
):
    decided = queue["guj_review"]
    decided.status = ApplicationStatus.REJECTED
    decided.save()
    client.force_login(pseb_staff)
    response = client.get(reverse("tenants:application_list"), {"sort": "-waiting", "drafts": "on"})
    assert order(response)[:2] == [queue["guj_submitted"].pk, queue["glt_submitted"].pk]
    assert set(order(response)[2:]) == {decided.pk, queue["guj_draft"].pk}


@pytest.mark.parametrize("sort", ["business_plan", "-created_by__password", "--company", "pk"])
def test_a_sort_not_offered_is_the_filters_error_and_lists_nothing(client, pseb_staff, queue, sort):
    client.force_login(pseb_staff)
    response = client.get(reverse("tenants:application_list"), {"sort": sort})
    assert response.status_code == 200
    assert response.context["filter"].errors["sort"]
    assert "Select a valid choice" in text(response)
    assert order(response) == []
    export = client.get(
        reverse("tenants:application_export", kwargs={"fmt": "csv"}), {"sort": sort}
    )
    assert export.status_code == 302  # back to the page, which says why


def test_the_column_headers_sort_and_say_which_way(client, pseb_staff, queue):
    client.force_login(pseb_staff)
    page = text(client.get(reverse("tenants:application_list"), {"sort": "company", "park": "GUJ"}))
    assert 'aria-sort="ascending"' in page
    assert (
        'href="?sort=-company&amp;park=GUJ"'
        in client.get(
            reverse("tenants:application_list"), {"sort": "company", "park": "GUJ"}
        ).content.decode()
    )  # the filters are kept
    assert 'href="?sort=waiting&park=GUJ"' in page


def test_the_queue_shows_days_waiting_since_submission(client, pseb_staff, queue):
    client.force_login(pseb_staff)
    response = client.get(reverse("tenants:application_list"), {"drafts": "on"})
    today = timezone.localdate()
    waited = (today - queue["guj_submitted"].submitted_at.date()).days
    page = text(response)
    assert "Days waiting" in page
    assert f'<td data-label="Days waiting" class="num text-end">{waited}</td>' in page
    assert '<td data-label="Days waiting" class="num text-end">—</td>' in page  # the draft


def test_a_manager_does_not_see_a_returned_draft_unless_asked(
    client, park_manager, queue, pseb_staff
):
    returned = queue["guj_submitted"]
    returned.status = ApplicationStatus.DRAFT  # returned: submitted once, a draft again
    returned.save()
    client.force_login(park_manager)
    assert returned.pk not in listed(client.get(reverse("tenants:application_list")))
    shown = client.get(reverse("tenants:application_list"), {"drafts": "on"})
    assert returned.pk in listed(shown)


def test_a_company_sees_its_own_drafts_without_asking(client, company_user, queue):
    client.force_login(company_user)
    response = client.get(reverse("tenants:application_list"))
    assert queue["guj_draft"].pk in listed(response)
    assert "Show drafts" not in text(response)


def test_the_queue_date_filters_are_date_pickers(client, pseb_staff, queue):
    client.force_login(pseb_staff)
    page = text(client.get(reverse("tenants:application_list")))
    assert 'type="date" name="submitted_after"' in page
    assert 'type="date" name="submitted_before"' in page


@pytest.mark.parametrize("sort", ["", "-waiting", "company"])
def test_the_queue_reads_as_many_queries_for_40_applications_as_for_4(
    client, pseb_staff, queue, park, company, sort, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(pseb_staff)
    url = reverse("tenants:application_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"sort": sort, "page": 1})
    ApplicationFactory.create_batch(36, company=company, park=park, status="submitted")
    with django_assert_num_queries(len(few)):
        assert len(client.get(url, {"sort": sort}).context["page"].object_list) == 25
