from django.urls import path, re_path

from .views import billing_runs, charges, credit_notes, payments, receipts, schemes, statements

app_name = "subsidies"
urlpatterns = [
    path("statements/", statements.statement_list, name="statement_list"),
    # One pattern for every list's files: <list>/export.<csv|xlsx>, with the page's query.
    re_path(
        r"^statements/export\.(?P<fmt>csv|xlsx)$",
        statements.statement_export,
        name="statement_export",
    ),
    path("statements/<int:pk>/", statements.statement_view, name="statement_detail"),
    path("statements/<int:pk>/pdf/", statements.statement_pdf, name="statement_pdf"),
    path("statements/<int:pk>/payments/", statements.statement_payment, name="statement_payment"),
    path(
        "statements/<int:pk>/credit-notes/",
        statements.statement_credit_note,
        name="statement_credit_note",
    ),
    path("credit-notes/<int:pk>/", credit_notes.credit_note_view, name="credit_note_detail"),
    path("credit-notes/<int:pk>/pdf/", credit_notes.credit_note_pdf, name="credit_note_pdf"),
    path("payments/", payments.payment_list, name="payment_list"),
    re_path(
        r"^payments/export\.(?P<fmt>csv|xlsx)$", payments.payment_export, name="payment_export"
    ),
    path("payments/receive/", receipts.payment_receive, name="payment_receive"),
    path("receipts/<int:pk>/", receipts.receipt_view, name="receipt_detail"),
    path("receipts/<int:pk>/pdf/", receipts.receipt_pdf, name="receipt_pdf"),
    path(
        "payment-instructions/",
        receipts.payment_instruction_list,
        name="payment_instruction_list",
    ),
    path(
        "payment-instructions/<str:code>/",
        receipts.payment_instruction_edit,
        name="payment_instruction_edit",
    ),
    path("verify/<str:token>/", statements.statement_verify, name="statement_verify"),
    path("billing/", billing_runs.billing_run_list, name="billing_run_list"),
    path("billing/preview/", billing_runs.billing_run_preview, name="billing_run_preview"),
    path("billing/<int:pk>/", billing_runs.billing_run_detail, name="billing_run_detail"),
    path("schemes/", schemes.scheme_list, name="scheme_list"),
    re_path(r"^schemes/export\.(?P<fmt>csv|xlsx)$", schemes.scheme_export, name="scheme_export"),
    path("schemes/new/", schemes.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/edit/", schemes.scheme_edit, name="scheme_edit"),
    path("leases/<int:lease_pk>/charges/", charges.lease_charges, name="lease_charges"),
]
