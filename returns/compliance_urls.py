"""``/returns/compliance/``: its own namespace, ``compliance``, so the returns pages'
``returns`` namespace (returns/urls.py) stays one include."""

from django.urls import path

from . import compliance_views

app_name = "compliance"
urlpatterns = [
    path("", compliance_views.compliance_page, name="table"),
]
