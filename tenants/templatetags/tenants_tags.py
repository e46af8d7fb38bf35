from datetime import date

from django import template
from django.utils import timezone

from core.calendar import local_date
from tenants.domain import days_waiting
from tenants.models import Application, Lease

register = template.Library()


@register.filter
def lease_status(lease: Lease, day: date) -> str:
    return lease.status_on(day)


@register.filter
def waiting_days(application: Application, day: date | None = None) -> int | None:
    """Days the application has waited since it was submitted (tenants.domain), or None."""
    submitted = application.submitted_at
    submitted_on = local_date(submitted) if submitted else None
    return days_waiting(application.status, submitted_on, day or timezone.localdate())
