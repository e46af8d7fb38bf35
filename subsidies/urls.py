from django.urls import path

from . import views

app_name = "subsidies"
urlpatterns = [
    path("statements/", views.statement_list, name="statement_list"),
    path("statements/export.csv", views.statement_export, name="statement_export"),
    path("statements/<int:pk>/", views.statement_view, name="statement_detail"),
    path("statements/<int:pk>/pdf/", views.statement_pdf, name="statement_pdf"),
    path("statements/<int:pk>/payments/", views.statement_payment, name="statement_payment"),
    path(
        "statements/<int:pk>/credit-notes/",
        views.statement_credit_note,
        name="statement_credit_note",
    ),
    path("verify/<str:token>/", views.statement_verify, name="statement_verify"),
    path("billing/", views.billing_run_list, name="billing_run_list"),
    path("billing/<int:pk>/", views.billing_run_detail, name="billing_run_detail"),
    path("schemes/", views.scheme_list, name="scheme_list"),
    path("schemes/new/", views.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("leases/<int:lease_pk>/charges/", views.lease_charges, name="lease_charges"),
]
