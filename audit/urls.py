from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.change_list, name="changes"),
    path("changes.csv", views.change_export, name="change_export"),
    path("security/", views.security_event_list, name="security_events"),
    path("security/events.csv", views.security_event_export, name="security_event_export"),
]
