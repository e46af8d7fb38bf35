from django.urls import path, re_path

from . import views

app_name = "returns"
# A return's key is its owed return's: "<company id>-<park id>-<quarter id>".
KEY = r"(?P<key>[0-9]{1,19}-[0-9]{1,19}-[0-9]{1,19})"
urlpatterns = [
    path("", views.return_list, name="list"),
    # One pattern for every list's files: <list>/export.<csv|xlsx>, with the page's query.
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.return_export, name="export"),
    re_path(rf"^{KEY}/$", views.return_detail, name="detail"),
    re_path(rf"^{KEY}/file/$", views.return_file, name="file"),
    re_path(rf"^{KEY}/amend/$", views.return_amend, name="amend"),
]
