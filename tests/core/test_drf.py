"""The permission core's DRF adapter (core.drf.Allows): an API view lets a request through
when the user may take the action, asked on the view for a request with no object and on
the object once the view found it. A fake request and view stand in for DRF's."""

from types import SimpleNamespace

import pytest
from rest_framework.permissions import BasePermission

from core import permissions
from core.drf import Allows
from core.permissions import OK, refuse, rule

ACTION = "core_test_drf_action"
REFUSAL = "Only the object's owner may do this."


@pytest.fixture
def asked():
    """Registers ``ACTION``: a user may act on an object they own (``obj.owner``), or with no
    object when ``may`` is set. Records each (user, obj) it is asked about."""
    seen: list[tuple] = []

    @rule(ACTION)
    def can_core_test_drf_action(user, obj):
        seen.append((user, obj))
        if obj is None:
            return OK if user.may else refuse("Not without an object.")
        return OK if obj.owner is user else refuse(REFUSAL)

    yield seen
    permissions._RULES.pop(ACTION, None)


def request(method: str = "POST", *, may: bool = True, signed_in: bool = True):
    return SimpleNamespace(method=method, user=SimpleNamespace(is_authenticated=signed_in, may=may))


LIST = SimpleNamespace(detail=False)
DETAIL = SimpleNamespace(detail=True)


def test_allows_to_builds_a_drf_permission_class_for_the_action():
    permission = Allows.to(ACTION, methods=("post", "Patch"))
    assert issubclass(permission, Allows)
    assert issubclass(permission, BasePermission)
    assert permission.__name__ == f"Allows_{ACTION}"
    assert permission.action == ACTION
    assert permission.methods == frozenset({"POST", "PATCH"})
    assert Allows.action == ""  # the base class is left as it was


def test_a_request_without_an_object_is_judged_on_the_view(asked):
    allowed = request(may=True)
    assert Allows.to(ACTION)().has_permission(allowed, LIST) is True
    assert asked == [(allowed.user, None)]


def test_a_refusal_on_the_view_gives_drf_the_reason(asked):
    permission = Allows.to(ACTION)()
    assert permission.has_permission(request(may=False), LIST) is False
    assert permission.message == "Not without an object."


def test_a_request_for_one_object_waits_for_the_object(asked):
    permission = Allows.to(ACTION)()
    req = request(may=False)
    assert permission.has_permission(req, DETAIL) is True
    assert asked == []  # the view has not found the object yet

    owned = SimpleNamespace(owner=req.user)
    assert permission.has_object_permission(req, DETAIL, owned) is True

    someone_elses = SimpleNamespace(owner=object())
    assert permission.has_object_permission(req, DETAIL, someone_elses) is False
    assert permission.message == REFUSAL
    assert asked == [(req.user, owned), (req.user, someone_elses)]


def test_methods_not_named_are_left_to_the_views_other_checks(asked):
    permission = Allows.to(ACTION, methods=("POST",))()
    refused = request("GET", may=False)
    assert permission.has_permission(refused, LIST) is True
    assert permission.has_object_permission(refused, DETAIL, SimpleNamespace(owner=None)) is True
    assert asked == []
    assert permission.has_permission(request("POST", may=False), LIST) is False


def test_without_methods_every_method_is_checked(asked):
    permission = Allows.to(ACTION)()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        assert permission.has_permission(request(method, may=False), LIST) is False
    assert len(asked) == 5


def test_someone_not_signed_in_is_refused_with_sign_in_first(asked):
    permission = Allows.to(ACTION)()
    anonymous = request(signed_in=False)
    assert permission.has_permission(anonymous, LIST) is False
    assert permission.message == "Sign in first."
    assert permission.has_object_permission(anonymous, DETAIL, SimpleNamespace()) is False
    assert asked == []


def test_a_refusal_message_stays_on_its_own_permission_instance(asked):
    refused = Allows.to(ACTION)()
    refused.has_permission(request(may=False), LIST)
    fresh = Allows.to(ACTION)()
    assert fresh.message == ""
