"""The permission core (conventions.md, after Hypha): who may do what.

Each app states its rules in its own ``permissions.py`` as ``can_<action>(user, obj, ...)``
functions returning a ``Verdict`` and registers them with ``@rule("<action>")``. Everything
else asks through one entry: ``has_permission`` for a yes/no with the reason, ``ensure``
to refuse (403 with the reason), the DRF adapter ``core.drf.Allows`` and the template tag
``{% may "<action>" obj as allowed %}``.

These answer *role* questions only (a refusal is 403). Whether the object's state allows the
action is the workflow's question (409), and whether the user may see the object at all is
the selectors' (404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied


class Verdict(NamedTuple):
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


OK = Verdict(True)


def refuse(reason: str) -> Verdict:
    return Verdict(False, reason)


Rule = Callable[..., Verdict]
_RULES: dict[str, Rule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    """Register ``can_<action>`` as the one rule for ``action``."""

    def register(function: Rule) -> Rule:
        if action in _RULES and _RULES[action] is not function:
            raise ValueError(f"The action {action!r} already has a rule.")
        _RULES[action] = function
        return function

    return register


def has_permission(action: str, user: Any, obj: Any = None, *args: Any) -> Verdict:
    """May ``user`` take ``action`` (on ``obj``)? The answer carries the reason when not."""
    try:
        can = _RULES[action]
    except KeyError:
        raise LookupError(f"No permission rule is registered for {action!r}.") from None
    if not getattr(user, "is_authenticated", False):
        return refuse("Sign in first.")
    return Verdict(*can(user, obj, *args))


def ensure(action: str, user: Any, obj: Any = None, *args: Any) -> None:
    """Raise PermissionDenied (403) with the rule's reason when it refuses."""
    verdict = has_permission(action, user, obj, *args)
    if not verdict.allowed:
        raise PermissionDenied(verdict.reason)


def actions() -> list[str]:
    """Every registered action (the tests walk them)."""
    return sorted(_RULES)
