"""The Celery application. Workers start with ``celery -A stp_portal worker``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stp_portal.settings.local")

app = Celery("stp_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
