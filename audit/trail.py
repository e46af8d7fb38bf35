"""Who and where for every change django-auditlog records (issue 7 §8).

django-auditlog writes one ``LogEntry`` per save and delete of every model (settings:
``AUDITLOG_INCLUDE_ALL_MODELS``). This module adds what it cannot know by itself:

- the actor, read from the request *when the row is written*, so a DRF token request (whose
  user is known only once the view has authenticated it) is attributed like a session one;
- where the write came from (``additional_data["via"]``): ``page``, ``api`` or ``admin`` for a
  request, ``command <name>`` for a management command, ``task <name>`` for a Celery task, so a
  row without a person is never anonymous-from-nowhere;
- ``log_created`` / ``log_updated`` for writes that send no model signal (``bulk_create``,
  ``QuerySet.update``; ``update_logged`` wraps the latter): their rows are built here and
  written in one bulk INSERT.
"""

from __future__ import annotations

import contextlib
import copy
import ipaddress
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar, Token
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.db.models.signals import pre_save
from django.http import HttpRequest
from django.utils.encoding import smart_str

from stp_portal.security import client_ip

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_via: ContextVar[str | None] = ContextVar("audit_via", default=None)


def mask_secret(value: str) -> str:
    """Secrets (password hashes, TOTP keys, token hashes) never enter the trail, not even
    half of them as auditlog's default mask would keep: the row says only that one changed."""
    return "" if value in ("", "None") else "[hidden]"


def valid_ip(address: str | None) -> str | None:
    """``address`` if it is an IP address (a database ``inet`` column refuses anything else)."""
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


def request_via(request: HttpRequest) -> str:
    path = request.path_info
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "api"
    return "page"


@contextlib.contextmanager
def acting_as(via: str) -> Iterator[None]:
    """Attribute the writes inside to ``via`` (e.g. ``"command run_billing"``)."""
    token = _via.set(via)
    try:
        yield
    finally:
        _via.reset(token)


@contextlib.contextmanager
def serving(request: HttpRequest) -> Iterator[None]:
    """The writes inside are the request's: its user (read when each row is written), its
    client address, ``via`` page/api/admin."""
    request_token = _request.set(request)
    via_token = _via.set(request_via(request))
    try:
        yield
    finally:
        _via.reset(via_token)
        _request.reset(request_token)


def current_request() -> HttpRequest | None:
    return _request.get()


def current_actor() -> Any | None:
    """The signed-in user of the request being served, if any. ``request.user`` is read now,
    not when the request came in: DRF sets it on the Django request once a token is checked."""
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    if isinstance(user, get_user_model()) and user.is_authenticated:
        return user
    return None


def current_via() -> str:
    via = _via.get()
    if via:
        return via
    # Neither a request, a command nor a task: a script or a shell of some kind.
    return f"process {os.path.basename(sys.argv[0]) if sys.argv else 'python'}"


def _fill_context(sender: type, instance: LogEntry, **kwargs: Any) -> None:
    """Every LogEntry saved through the ORM gets the actor and ``via`` of the moment."""
    if instance.pk is not None:
        return
    _apply_context(instance)


def _apply_context(entry: LogEntry) -> None:
    if entry.actor_id is None:
        actor = current_actor()
        if actor is not None:
            entry.actor = actor
            entry.actor_email = actor.email or None
    data = dict(entry.additional_data or {})
    data.setdefault("via", current_via())
    entry.additional_data = data
    request = _request.get()
    if request is not None and entry.remote_addr is None:
        entry.remote_addr = valid_ip(client_ip(request))


def connect() -> None:
    pre_save.connect(_fill_context, sender=LogEntry, dispatch_uid="audit_fill_context")
    _wrap_management_commands()
    _connect_celery()


def _wrap_management_commands() -> None:
    """Every management command (manage.py or call_command) attributes its writes to itself.
    Django has no signal for a command starting, so ``BaseCommand.execute`` is wrapped once."""
    from django.core.management.base import BaseCommand

    if getattr(BaseCommand.execute, "_audited", False):
        return
    original = BaseCommand.execute

    def execute(self: BaseCommand, *args: Any, **options: Any) -> Any:
        name = type(self).__module__.rsplit(".", 1)[-1]
        with acting_as(f"command {name}"):
            return original(self, *args, **options)

    execute._audited = True  # type: ignore[attr-defined]
    BaseCommand.execute = execute  # type: ignore[method-assign]


_task_tokens: dict[str, Token] = {}


def _connect_celery() -> None:
    from celery.signals import task_postrun, task_prerun

    def started(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
        if task_id is not None:
            # A task run in-process (no broker) inside a request or command says so.
            outer, name = _via.get(), f"task {getattr(task, 'name', task)}"
            _task_tokens[task_id] = _via.set(f"{outer}, {name}" if outer else name)

    def finished(task_id: str | None = None, **kwargs: Any) -> None:
        token = _task_tokens.pop(task_id, None) if task_id is not None else None
        if token is not None:
            with contextlib.suppress(ValueError):
                _via.reset(token)

    task_prerun.connect(started, weak=False, dispatch_uid="audit_task_started")
    task_postrun.connect(finished, weak=False, dispatch_uid="audit_task_finished")


# --- Writes that send no model signal ---------------------------------------------------------
def _entries(
    objects: Iterable[Model], action: int, fields: Sequence[str] | None = None, old: Any = None
) -> list[LogEntry]:
    objects = list(objects)
    if not objects or auditlog_disabled.get() or not auditlog.contains(type(objects[0])):
        return []
    content_type = ContentType.objects.get_for_model(type(objects[0]))
    cid = get_cid()
    as_json = settings.AUDITLOG_STORE_JSON_CHANGES
    entries = []
    for obj in objects:
        if action == LogEntry.Action.CREATE:
            changes = model_instance_diff(None, obj, use_json_for_changes=as_json)
        else:
            changes = model_instance_diff(
                old(obj), obj, fields_to_check=fields, use_json_for_changes=as_json
            )
            if not changes:
                continue
        entry = LogEntry(
            content_type=content_type,
            object_pk=smart_str(obj.pk),
            object_id=obj.pk if isinstance(obj.pk, int) else None,
            object_repr=smart_str(obj),
            action=action,
            changes=changes,
            cid=cid,
        )
        _apply_context(entry)
        entries.append(entry)
    return entries


def log_created(objects: Iterable[Model]) -> None:
    """One ``create`` row per object just inserted by ``bulk_create`` (which sends no
    post_save), in one bulk INSERT. The objects must carry their primary keys."""
    LogEntry.objects.bulk_create(_entries(objects, LogEntry.Action.CREATE), batch_size=500)


def log_updated(changes: Iterable[tuple[Model, Model]], fields: Sequence[str]) -> None:
    """One ``update`` row per ``(before, after)`` pair written by ``QuerySet.update`` or
    ``bulk_update`` (which send no pre_save), with the old and new values of ``fields``."""
    pairs = list(changes)
    before = {id(after): old for old, after in pairs}
    LogEntry.objects.bulk_create(
        _entries(
            (after for _, after in pairs),
            LogEntry.Action.UPDATE,
            fields=fields,
            old=lambda obj: before[id(obj)],
        ),
        batch_size=500,
    )


def update_logged(queryset: QuerySet, **values: Any) -> int:
    """``queryset.update(**values)`` that still records each changed row's old and new values
    (``QuerySet.update`` sends no signal). ``values`` are plain values, not expressions."""
    before = list(queryset)
    count = queryset.update(**values)
    after = []
    for obj in before:
        new = copy.copy(obj)
        for name, value in values.items():
            setattr(new, name, value)
        after.append(new)
    log_updated(zip(before, after, strict=True), fields=list(values))
    return count
