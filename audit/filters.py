"""Filters of the audit pages: changes (auditlog's LogEntry) and security events."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from stp_portal.forms import DateInput

from .models import SecurityEvent, SecurityEventKind


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in Asia/Karachi: ranges compare the indexed timestamp itself."""
    return timezone.make_aware(datetime.combine(day, time.min))


def object_type_choices() -> list[tuple[str, str]]:
    """Every model the trail records, as ``app_label.model`` (the content type's natural key)."""
    models = sorted(
        (m for m in auditlog.get_models() if m._meta.managed),
        key=lambda m: (m._meta.app_label, m._meta.verbose_name),
    )
    return [
        (m._meta.label_lower, f"{m._meta.app_config.verbose_name}: {m._meta.verbose_name}")
        for m in models
    ]


class DateRangeFilterSet(django_filters.FilterSet):
    """``since`` and ``until`` (both inclusive days) on the model's timestamp field."""

    timestamp_field = ""

    since = django_filters.DateFilter(method="filter_since", label="From", widget=DateInput())
    until = django_filters.DateFilter(method="filter_until", label="Until", widget=DateInput())

    # Days at the ends of the calendar would overflow once shifted to UTC: they bound nothing.
    def filter_since(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        if value <= date.min + timedelta(days=1):
            return queryset
        return queryset.filter(**{f"{self.timestamp_field}__gte": _day_start(value)})

    def filter_until(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        if value >= date.max - timedelta(days=1):
            return queryset
        return queryset.filter(
            **{f"{self.timestamp_field}__lt": _day_start(value + timedelta(days=1))}
        )


class LogEntryFilter(DateRangeFilterSet):
    timestamp_field = "timestamp"

    actor = django_filters.CharFilter(
        field_name="actor__username", lookup_expr="iexact", label="Actor (username)", max_length=150
    )
    object_type = django_filters.ChoiceFilter(
        method="filter_object_type",
        choices=object_type_choices,
        empty_label="Any",
        label="Object type",
    )
    object_id = django_filters.CharFilter(
        field_name="object_pk", lookup_expr="exact", label="Object id", max_length=255
    )
    action = django_filters.ChoiceFilter(
        choices=LogEntry.Action.choices[:3], empty_label="Any", label="Action"
    )

    class Meta:
        model = LogEntry
        fields = ["actor", "object_type", "object_id", "action", "since", "until"]

    def filter_object_type(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        app_label, _, model = value.partition(".")
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
        return queryset.filter(content_type=content_type)


class SecurityEventFilter(DateRangeFilterSet):
    timestamp_field = "at"

    kind = django_filters.ChoiceFilter(
        choices=SecurityEventKind.choices, empty_label="Any", label="Event"
    )
    username = django_filters.CharFilter(
        field_name="username", lookup_expr="iexact", label="Username", max_length=150
    )
    client_ip = django_filters.CharFilter(
        field_name="client_ip",
        lookup_expr="exact",
        label="Address",
        max_length=45,
        method="filter_client_ip",
    )

    class Meta:
        model = SecurityEvent
        fields = ["kind", "username", "client_ip", "since", "until"]

    def filter_client_ip(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        from .trail import valid_ip

        address = valid_ip(value)
        return queryset.filter(client_ip=address) if address else queryset.none()
