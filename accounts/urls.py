from django.contrib.auth import views as auth_views
from django.urls import path

from . import views


def _page(view, template: str):
    """One of Django's own password pages, shown with the portal's template."""
    return view.as_view(template_name=f"accounts/{template}.html")


app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("tokens/<str:token_key>/revoke/", views.token_revoke, name="token_revoke"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("sign-up/", views.sign_up, name="signup"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("verify-email/", views.email_verification_resend, name="verify_email_resend"),
    path("verify-email/<str:token>/", views.email_verify, name="verify_email"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/changed/",
        _page(auth_views.PasswordChangeDoneView, "password_change_done"),
        name="password_change_done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        _page(auth_views.PasswordResetDoneView, "password_reset_sent"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        _page(auth_views.PasswordResetCompleteView, "password_reset_complete"),
        name="password_reset_complete",
    ),
]
