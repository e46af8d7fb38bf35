"""``{% load permissions %}{% may "run_billing" as can_bill %}``: templates ask the permission
core whether the signed-in user may take an action, instead of checking roles."""

from __future__ import annotations

from typing import Any

from django import template

from core.permissions import has_permission

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context: template.Context, action: str, obj: Any = None) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return bool(has_permission(action, user, obj))
