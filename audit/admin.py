"""The trail in the admin: readable, never writable (issue 7 §8). No add, change or delete,
not even for superusers; on PostgreSQL a trigger refuses it anyway."""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.http import HttpRequest

from .models import SecurityEvent


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# auditlog's own admin lets a LogEntry be deleted along with a related object: replaced.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdminMixin, AuditlogLogEntryAdmin):
    pass


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "kind", "username", "client_ip", "method", "path", "status"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["username", "path", "client_ip"]
    date_hierarchy = "at"
    readonly_fields = [
        "kind",
        "at",
        "user",
        "username",
        "client_ip",
        "path",
        "method",
        "status",
        "detail",
    ]

    def get_actions(self, request: HttpRequest) -> dict:
        return {}
