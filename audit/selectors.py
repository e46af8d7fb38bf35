"""Reads of the audit trail: PSEB staff only (issue 7 §8), everyone else sees nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet

from .models import SecurityEvent

HISTORY_ROWS = 50


def may_read_trail(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_pseb_staff)


def _log_entries() -> QuerySet[LogEntry]:
    # django-auditlog ships no types, so its manager is Any; the trail reads it as a QuerySet.
    entries: QuerySet[LogEntry] = LogEntry.objects.all()
    return entries


def log_entries_visible_to(user: Any | AnonymousUser) -> QuerySet[LogEntry]:
    """Changes, newest first, with what their listing reads (one query per page)."""
    if not may_read_trail(user):
        return _log_entries().none()
    return _log_entries().select_related("actor", "content_type").order_by("-timestamp", "-pk")


def security_events_visible_to(user: Any | AnonymousUser) -> QuerySet[SecurityEvent]:
    if not may_read_trail(user):
        return SecurityEvent.objects.none()
    return SecurityEvent.objects.order_by("-at", "-pk")


def object_history(user: Any, obj: Model, limit: int = HISTORY_ROWS) -> list[LogEntry]:
    """The latest changes of one object (its page's History), in one query."""
    content_type = ContentType.objects.get_for_model(type(obj))  # cached after the first
    return list(
        log_entries_visible_to(user).filter(content_type=content_type, object_pk=str(obj.pk))[
            :limit
        ]
    )


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str | None
    new: str | None


def _words(field: Any, value: Any) -> str | None:
    if value is None:
        return None
    choices = dict(field.flatchoices) if getattr(field, "choices", None) else None
    if choices is not None and value in choices:
        return str(choices[value])
    if isinstance(value, bool):
        return "yes" if value else "no"
    if getattr(field, "is_relation", False):
        return f"#{value}"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def changes_in_words(entry: LogEntry) -> list[FieldChange]:
    """The fields an entry changed, by their labels, with old and new values in words (choice
    labels, yes/no, related objects by id). Reads no other row: safe in a long list."""
    model = entry.content_type.model_class()
    rows = []
    for name, values in (entry.changes_dict or {}).items():
        if isinstance(values, dict):  # many-to-many: {"operation": "add", "objects": [...]}
            verb = "added" if values.get("operation") == "add" else "removed"
            old, new = None, f"{verb}: {', '.join(map(str, values.get('objects', [])))}"
        else:
            old, new = [*values, None, None][:2]
        field = None
        label = name.replace("_", " ")
        if model is not None:
            try:
                field = model._meta.get_field(name)
                label = str(getattr(field, "verbose_name", label))
            except FieldDoesNotExist:
                pass
        rows.append(
            FieldChange(
                label=label[:1].upper() + label[1:], old=_words(field, old), new=_words(field, new)
            )
        )
    return rows


def actor_in_words(entry: LogEntry) -> str:
    """Who: the user, or the e-mail the row kept of a deleted one, or where the write came
    from (a command, a task) when no person made it."""
    if entry.actor is not None:
        return str(entry.actor.get_username())
    if entry.actor_email:
        return f"{entry.actor_email} (deleted account)"
    via = (entry.additional_data or {}).get("via")
    return f"system ({via})" if via else "system"


def via_of(entry: LogEntry) -> str:
    return str((entry.additional_data or {}).get("via", ""))
