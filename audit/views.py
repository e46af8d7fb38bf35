"""The audit pages (issue 7 §8): PSEB staff only; to anyone else they do not exist (404).

Two tabs with the same shape: a filtered, paginated list, and its CSV export (streamed, the
same filters). Each page reads a bounded number of rows whatever the trail's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.paging import IdsFirstPaginator
from stp_portal.downloads import csv_text
from stp_portal.exports import csv_download

from .filters import LogEntryFilter, SecurityEventFilter
from .models import SecurityEvent
from .selectors import (
    actor_in_words,
    changes_in_words,
    log_entries_visible_to,
    may_read_trail,
    security_events_visible_to,
    via_of,
)

PER_PAGE = 50


def _pseb_only(request: HttpRequest) -> None:
    if not may_read_trail(request.user):
        raise Http404("No such page.")


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _csv_response(rows: Iterable[list[Any]], name: str) -> StreamingHttpResponse:
    # Every cell of the trail is text (old and new values included).
    return csv_download(([csv_text(v) for v in row] for row in rows), name)


def _page_of(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return IdsFirstPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _list_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, {**context, "query": _query_without_page(request)})


# --- Changes ------------------------------------------------------------------------------------
def _change_filter(request: HttpRequest) -> LogEntryFilter:
    return LogEntryFilter(request.GET, queryset=log_entries_visible_to(request.user))


@login_required
@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    _pseb_only(request)
    change_filter = _change_filter(request)
    page = _page_of(
        request, change_filter.qs if change_filter.is_valid() else LogEntry.objects.none()
    )
    entries = [
        {"entry": e, "actor": actor_in_words(e), "via": via_of(e), "changes": changes_in_words(e)}
        for e in page
    ]
    context = {"filter": change_filter, "page": page, "entries": entries, "tab": "changes"}
    return _list_page(request, "audit/change_list.html", context)


CHANGE_COLUMNS = [
    "time", "actor", "via", "address", "object_type", "object_id", "object", "action",
    "field", "old", "new",
]  # fmt: skip


def _change_rows(entries: Iterable[LogEntry]) -> Iterator[list[Any]]:
    """One line per changed field (a row without fields gets one line of its own)."""
    yield CHANGE_COLUMNS
    for e in entries:
        head = [
            timezone.localtime(e.timestamp).isoformat(),
            actor_in_words(e),
            via_of(e),
            e.remote_addr or "",
            e.content_type.app_labeled_name,
            e.object_pk,
            e.object_repr,
            e.get_action_display(),
        ]
        changes = changes_in_words(e)
        if not changes:
            yield [*head, "", "", ""]
        for change in changes:
            yield [*head, change.label, change.old or "", change.new or ""]


@login_required
@require_GET
def change_export(request: HttpRequest) -> HttpResponseBase:
    _pseb_only(request)
    change_filter = _change_filter(request)
    if not change_filter.is_valid():
        return redirect(f"{reverse('audit:changes')}?{_query_without_page(request)}")
    return _csv_response(_change_rows(change_filter.qs.iterator(chunk_size=2000)), "changes")


# --- Security events ----------------------------------------------------------------------------
def _event_filter(request: HttpRequest) -> SecurityEventFilter:
    return SecurityEventFilter(request.GET, queryset=security_events_visible_to(request.user))


@login_required
@require_GET
def security_event_list(request: HttpRequest) -> HttpResponse:
    _pseb_only(request)
    event_filter = _event_filter(request)
    page = _page_of(
        request, event_filter.qs if event_filter.is_valid() else SecurityEvent.objects.none()
    )
    context = {"filter": event_filter, "page": page, "tab": "security"}
    return _list_page(request, "audit/security_event_list.html", context)


EVENT_COLUMNS = ["time", "event", "username", "address", "method", "path", "status", "detail"]


def _event_rows(events: Iterable[SecurityEvent]) -> Iterator[list[Any]]:
    yield EVENT_COLUMNS
    for e in events:
        yield [
            timezone.localtime(e.at).isoformat(),
            e.get_kind_display(),
            e.username,
            e.client_ip or "",
            e.method,
            e.path,
            e.status or "",
            e.detail or "",
        ]


@login_required
@require_GET
def security_event_export(request: HttpRequest) -> HttpResponseBase:
    _pseb_only(request)
    event_filter = _event_filter(request)
    if not event_filter.is_valid():
        return redirect(f"{reverse('audit:security_events')}?{_query_without_page(request)}")
    return _csv_response(_event_rows(event_filter.qs.iterator(chunk_size=2000)), "security-events")
