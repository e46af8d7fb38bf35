from datetime import date

from django import template

from tenants.models import Lease

register = template.Library()


@register.filter
def lease_status(lease: Lease, day: date) -> str:
    return lease.status_on(day)
