from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import sign_in_rate_limit

from . import views

# The admin's sign-in page is held to the portal's per-address limit as well (wrapping the
# default site's bound view in place, hence the ignore: mypy refuses any method assignment).
admin.site.login = sign_in_rate_limit(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("accounts/", include("accounts.urls")),
    # The tenant's account as people say it (issue 12 §6): /account/ is /accounts/.
    path("account/", RedirectView.as_view(pattern_name="accounts:account"), name="account"),
    path("parks/", include("parks.urls")),
    path("", include("tenants.urls")),
    path("", include("subsidies.urls")),
    path("returns/", include("returns.urls")),
    path("audit/", include("audit.urls")),
    path("reports/", include("reports.urls")),
    # Before returns/ (returns.urls): /returns/compliance/ is not a return's key.
    path("returns/compliance/", include("returns.compliance_urls")),
    path("api/", include("stp_portal.api_urls")),
    path("admin/", admin.site.urls),
]

handler400 = "stp_portal.views.bad_request"
handler404 = "stp_portal.views.not_found"
