from django.urls import path, re_path

from . import views

app_name = "parks"
urlpatterns = [
    path("", views.park_list, name="list"),
    # Fixed paths first: "managed" would otherwise be read as a park code.
    path("managed/", views.managed_parks, name="managed"),
    path("new/", views.park_create, name="create"),
    path("<str:code>/", views.park_detail, name="detail"),
    path("<str:code>/edit/", views.park_edit, name="edit"),
    path("<str:code>/managers/", views.park_managers, name="managers"),
    path(
        "<str:code>/managers/<int:pk>/remove/",
        views.park_manager_remove,
        name="manager_remove",
    ),
    path("<str:code>/units/", views.unit_list, name="units"),
    re_path(
        r"^(?P<code>[^/]+)/units/export\.(?P<fmt>csv|xlsx)$", views.unit_export, name="unit_export"
    ),
    path("<str:code>/units/new/", views.unit_create, name="unit_create"),
    path("<str:code>/units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("<str:code>/units/import/", views.unit_import, name="unit_import"),
    path(
        "<str:code>/units/import/template.csv",
        views.unit_import_template,
        name="unit_import_template",
    ),
    path("<str:code>/occupancy/", views.occupancy, name="occupancy"),
]
