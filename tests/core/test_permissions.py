"""The permission core (core.permissions, conventions.md after Hypha): one rule per action,
asked through ``has_permission`` or ``ensure``; anonymous users are refused before any rule.

The rules here are throwaway actions registered by the test and removed after it, so the
apps' real rules are neither needed nor touched."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from core import permissions
from core.permissions import OK, Verdict, actions, ensure, has_permission, refuse, rule
from tests.core.support import exactly

ACTION = "core_test_throwaway_action"


def signed_in(name: str = "amina", **attributes: object) -> SimpleNamespace:
    return SimpleNamespace(is_authenticated=True, username=name, **attributes)


@pytest.fixture
def calls():
    """Registers ``ACTION``: allowed for users with ``may=True``, refused otherwise; records
    every call it gets. Removed again after the test."""
    seen: list[tuple] = []

    @rule(ACTION)
    def can_core_test_throwaway_action(user, obj, *args):
        seen.append((user, obj, args))
        return OK if getattr(user, "may", False) else refuse("Only a tester may do this.")

    yield seen
    permissions._RULES.pop(ACTION, None)


def test_a_registered_rule_answers_for_its_action(calls):
    user = signed_in(may=True)
    assert ACTION in actions()
    assert has_permission(ACTION, user, "the object", 7) == Verdict(True, "")
    assert calls == [(user, "the object", (7,))]


def test_a_refusal_carries_the_rules_reason(calls):
    verdict = has_permission(ACTION, signed_in(may=False))
    assert verdict == Verdict(False, "Only a tester may do this.")
    assert calls[0][1] is None  # no object: the rule is asked about the action itself


def test_a_rule_answering_a_plain_pair_still_gives_a_verdict():
    @rule(ACTION)
    def can_core_test_throwaway_action(user, obj):
        return (False, "Not today.")

    try:
        verdict = has_permission(ACTION, signed_in())
    finally:
        permissions._RULES.pop(ACTION, None)
    assert isinstance(verdict, Verdict)
    assert (verdict.allowed, verdict.reason) == (False, "Not today.")


def test_an_action_has_one_rule_only(calls):
    def another_rule(user, obj):
        return OK

    with pytest.raises(ValueError, match=exactly(f"The action {ACTION!r} already has a rule.")):
        rule(ACTION)(another_rule)
    assert has_permission(ACTION, signed_in(may=False)).allowed is False  # the first one holds


def test_registering_the_same_rule_again_is_harmless(calls):
    first = permissions._RULES[ACTION]
    assert rule(ACTION)(first) is first


def test_an_action_without_a_rule_is_a_programming_error():
    with pytest.raises(LookupError, match="No permission rule is registered for 'no_such_act'"):
        has_permission("no_such_act", signed_in())
    with pytest.raises(LookupError):
        ensure("no_such_act", signed_in())


@pytest.mark.parametrize(
    "user",
    [AnonymousUser(), None, SimpleNamespace(is_authenticated=False, may=True)],
    ids=["anonymous", "no user", "not authenticated"],
)
def test_someone_not_signed_in_is_refused_before_any_rule(calls, user):
    assert has_permission(ACTION, user) == Verdict(False, "Sign in first.")
    assert calls == []


def test_ensure_raises_permission_denied_with_the_reason(calls):
    with pytest.raises(PermissionDenied, match=exactly("Only a tester may do this.")):
        ensure(ACTION, signed_in(may=False), "the object")
    with pytest.raises(PermissionDenied, match=exactly("Sign in first.")):
        ensure(ACTION, AnonymousUser())


def test_ensure_lets_an_allowed_user_through(calls):
    assert ensure(ACTION, signed_in(may=True), "the object") is None
    assert len(calls) == 1


def test_a_verdict_is_true_exactly_when_it_allows():
    assert OK
    assert OK == (True, "")
    assert not refuse("No.")
    assert refuse("No.").reason == "No."
    assert bool(Verdict(False, "")) is False
    allowed, reason = refuse("Because.")
    assert (allowed, reason) == (False, "Because.")


def test_the_apps_rules_are_registered_once_django_is_ready():
    # CoreConfig.ready() loads every app's permissions module.
    assert "run_billing" in actions()
