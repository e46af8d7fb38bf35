"""The application workflow as pure rules (domain.md §3): no database.

The expected table is written out here from domain.md, not derived from TRANSITIONS, so a
change to the workflow has to change this file too.
"""

from itertools import product

import pytest

from core.vocabulary import ApplicationStatus
from tenants.domain import (
    COMPANY,
    PSEB,
    TRANSITIONS,
    actions_from,
    transition_problem,
)

STATUSES = ["draft", "submitted", "under_review", "approved", "rejected", "withdrawn"]
ACTIONS = ["submit", "withdraw", "review", "approve", "reject", "return"]

# (action, from) -> to; every pair not listed here is refused.
ALLOWED = {
    ("submit", "draft"): "submitted",
    ("withdraw", "draft"): "withdrawn",
    ("withdraw", "submitted"): "withdrawn",
    ("withdraw", "under_review"): "withdrawn",
    ("review", "submitted"): "under_review",
    ("approve", "under_review"): "approved",
    ("reject", "under_review"): "rejected",
    ("return", "under_review"): "draft",
}
REFUSED = [pair for pair in product(ACTIONS, STATUSES) if pair not in ALLOWED]
NEEDS_REASON = {"reject", "return"}
A_REASON = "The business plan does not say how many graduates you will hire."


def test_the_table_covers_every_action_and_status_pair():
    assert len(ALLOWED) + len(REFUSED) == len(ACTIONS) * len(STATUSES) == 36
    assert sorted(TRANSITIONS) == sorted(ACTIONS)


@pytest.mark.parametrize(("action", "status"), sorted(ALLOWED))
def test_an_allowed_transition_has_no_problem_when_given_a_reason(action, status):
    assert transition_problem(action, status, A_REASON) is None


@pytest.mark.parametrize(("action", "status"), sorted(ALLOWED))
def test_an_allowed_transition_leads_to_the_status_domain_md_names(action, status):
    transition = TRANSITIONS[action]
    assert status in transition.sources
    assert transition.target == ALLOWED[(action, status)]


@pytest.mark.parametrize(("action", "status"), REFUSED)
@pytest.mark.parametrize("reason", ["", A_REASON])
def test_a_transition_from_a_state_that_does_not_allow_it_is_refused(action, status, reason):
    problem = transition_problem(action, status, reason)
    assert problem is not None
    # The message names the state the application is in, whatever the reason given.
    assert ApplicationStatus(status).label.lower() in problem
    assert "cannot be" in problem


@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_a_refused_transition_is_not_among_the_actions_from_that_state(action, status):
    assert action not in actions_from(status)


@pytest.mark.parametrize("action", sorted(NEEDS_REASON))
@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_rejecting_and_returning_need_a_reason_that_is_not_blank(action, reason):
    problem = transition_problem(action, "under_review", reason)
    assert problem is not None
    assert "reason" in problem.lower()


@pytest.mark.parametrize(
    ("action", "status"), sorted(pair for pair in ALLOWED if pair[0] not in NEEDS_REASON)
)
def test_other_allowed_transitions_need_no_reason(action, status):
    assert transition_problem(action, status) is None
    assert transition_problem(action, status, "") is None


def test_only_rejecting_and_returning_are_marked_as_needing_a_reason():
    assert {a for a, t in TRANSITIONS.items() if t.needs_reason} == NEEDS_REASON


def test_a_missing_reason_on_a_refused_state_is_reported_as_the_state_problem():
    # The service tells a 409 (wrong state) from a 400 (missing reason) by this order.
    problem = transition_problem("reject", "draft", "")
    assert "cannot be rejected" in problem
    assert "reason" not in problem.lower()


@pytest.mark.parametrize("action", ["", "delete", "APPROVE", "resubmit"])
def test_an_unknown_action_is_refused(action):
    problem = transition_problem(action, "draft", A_REASON)
    assert problem is not None
    assert "Unknown action" in problem


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", ["submit", "withdraw"]),
        ("submitted", ["withdraw", "review"]),
        ("under_review", ["withdraw", "approve", "reject", "return"]),
        ("approved", []),
        ("rejected", []),
        ("withdrawn", []),
        ("no-such-status", []),
    ],
)
def test_actions_from_lists_exactly_the_allowed_actions_in_a_stable_order(status, expected):
    assert actions_from(status) == expected


@pytest.mark.parametrize("status", ["approved", "rejected", "withdrawn"])
def test_a_decided_or_withdrawn_application_is_final(status):
    assert actions_from(status) == []
    for action in ACTIONS:
        assert transition_problem(action, status, A_REASON) is not None


def test_the_company_may_withdraw_at_any_point_before_a_decision():
    assert TRANSITIONS["withdraw"].sources == {"draft", "submitted", "under_review"}


@pytest.mark.parametrize(
    ("action", "actor"),
    [
        ("submit", COMPANY),
        ("withdraw", COMPANY),
        ("review", PSEB),
        ("approve", PSEB),
        ("reject", PSEB),
        ("return", PSEB),
    ],
)
def test_the_company_submits_and_withdraws_and_pseb_decides(action, actor):
    assert TRANSITIONS[action].actor == actor


def test_every_status_the_workflow_uses_is_an_application_status():
    used = {t.target for t in TRANSITIONS.values()} | {
        s for t in TRANSITIONS.values() for s in t.sources
    }
    assert used <= set(ApplicationStatus.values)
    assert set(ApplicationStatus.values) == set(STATUSES)


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_has_a_label_for_its_button(action):
    assert TRANSITIONS[action].label


# --- The words of each step live on it (issue 8) ------------------------------------------------
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_has_every_word_the_portal_says_of_it(action):
    step = TRANSITIONS[action]
    words = (step.label, step.past, step.outcome, step.history_event, step.subject, step.told)
    assert all(words), words


def test_a_step_is_told_by_its_past_participle_unless_it_states_its_own_words():
    reject, review, back = TRANSITIONS["reject"], TRANSITIONS["review"], TRANSITIONS["return"]
    assert (reject.outcome, reject.history_event, reject.subject) == (
        "rejected",
        "Rejected",
        "rejected",
    )
    assert (review.past, review.outcome, review.history_event) == (
        "put under review",
        "under review",
        "Review started",
    )
    assert (back.outcome, back.subject) == ("returned to the company", "returned for changes")


@pytest.mark.parametrize("action", ACTIONS)
def test_the_comment_is_called_a_reason_exactly_where_one_is_required(action):
    step = TRANSITIONS[action]
    assert step.comment_label == ("Reason" if step.needs_reason else "Comment")


def test_a_refusal_names_the_step_in_its_own_words():
    problem = transition_problem("review", "draft")
    assert problem is not None
    assert "cannot be put under review" in problem
