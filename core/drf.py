"""DRF adapters: the permission core for views (`permission_classes = [Allows.to("run_billing")]`)
and a text field that takes text only."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.permissions import BasePermission

from .permissions import has_permission


class Allows(BasePermission):
    """Lets a request through when the user may take ``action``: on the view for a request
    with no object, and again on the object once the view found it (in the caller's scope)."""

    action = ""
    methods: frozenset[str] = frozenset()  # empty: every method
    message = ""

    @classmethod
    def to(cls, action: str, *, methods: tuple[str, ...] = ()) -> type[Allows]:
        """A permission class for ``action``; with ``methods``, only those are checked (the
        others pass, for the view's other permissions and scoping to decide)."""
        return type(
            f"Allows_{action}",
            (cls,),
            {"action": action, "methods": frozenset(m.upper() for m in methods)},
        )

    def _applies(self, request: Any) -> bool:
        return not self.methods or request.method in self.methods

    def has_permission(self, request: Any, view: Any) -> bool:
        if not self._applies(request) or getattr(view, "detail", False):
            return True
        return self._judge(request.user, None)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if not self._applies(request):
            return True
        return self._judge(request.user, obj)

    def _judge(self, user: Any, obj: Any) -> bool:
        verdict = has_permission(self.action, user, obj)
        if not verdict.allowed:
            self.message = verdict.reason
        return verdict.allowed


class StrictCharField(serializers.CharField):
    """A text field that takes text only: DRF's ``CharField`` turns a JSON number into its
    digits, so ``{"username": 2.5e-81}`` would sign up "2.5e-81"; the schema says string."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))
