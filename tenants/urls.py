from django.urls import path, re_path

from . import views

app_name = "tenants"
urlpatterns = [
    path("company/", views.company_home, name="company"),
    path("company/new/", views.company_create, name="company_create"),
    path("company/edit/", views.company_edit, name="company_edit"),
    path("company/invite/", views.company_invite, name="company_invite"),
    path("company/join/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("applications/", views.application_list, name="application_list"),
    re_path(
        r"^applications/export\.(?P<fmt>csv|xlsx)$",
        views.application_export,
        name="application_export",
    ),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views.application_view, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/approve/", views.application_approve, name="application_approve"),
    path("applications/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/",
        views.document_download,
        name="document_download",
    ),
    path(
        "applications/<int:pk>/documents/<int:document_pk>/delete/",
        views.document_delete,
        name="document_delete",
    ),
    path(
        "applications/<int:pk>/<slug:action>/",
        views.application_transition,
        name="application_transition",
    ),
    path("leases/", views.lease_list, name="lease_list"),
    re_path(r"^leases/export\.(?P<fmt>csv|xlsx)$", views.lease_export, name="lease_export"),
    path("leases/<int:pk>/", views.lease_detail, name="lease_detail"),
    path("leases/<int:pk>/terminate/", views.lease_terminate, name="lease_terminate"),
]
