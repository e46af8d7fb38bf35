"""``{% object_history obj %}``: an object's own change history on its page, PSEB staff only."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from ..selectors import HISTORY_ROWS, actor_in_words, changes_in_words, may_read_trail
from ..selectors import object_history as history_of

register = template.Library()


@register.inclusion_tag("audit/_history.html", takes_context=True)
def object_history(context: template.Context, obj: Model) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or user is None or not may_read_trail(user):
        return {"hidden": True}
    entries = history_of(user, obj, limit=HISTORY_ROWS + 1)
    return {
        "hidden": False,
        "rows": [
            {"entry": e, "actor": actor_in_words(e), "changes": changes_in_words(e)}
            for e in entries[:HISTORY_ROWS]
        ],
        "more": len(entries) > HISTORY_ROWS,
        "object_type": obj._meta.label_lower,
        "object_id": obj.pk,
        "label": obj._meta.verbose_name,
    }
