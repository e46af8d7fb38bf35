"""/api/v1/ (api.md), the OpenAPI schema and the interactive docs (served from local files)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.apis import LogoutApi, SignupApi, TokenApi, TokenListApi, TokenRevokeApi
from parks.apis import ParkViewSet, UnitViewSet
from reports.apis import ReportApi
from returns.apis import ProgressReturnViewSet
from subsidies.apis import (
    BillingRunViewSet,
    ChargeViewSet,
    CreditNoteViewSet,
    StatementViewSet,
    SubsidySchemeViewSet,
)
from tenants.apis import ApplicationViewSet, CompanyViewSet, LeaseViewSet

router = SimpleRouter()
router.register("parks", ParkViewSet, basename="park")
router.register("units", UnitViewSet, basename="unit")
router.register("companies", CompanyViewSet, basename="company")
router.register("applications", ApplicationViewSet, basename="application")
router.register("leases", LeaseViewSet, basename="lease")
router.register("subsidy-schemes", SubsidySchemeViewSet, basename="subsidy-scheme")
router.register("charges", ChargeViewSet, basename="charge")
router.register("billing-runs", BillingRunViewSet, basename="billing-run")
router.register("statements", StatementViewSet, basename="statement")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")
router.register("progress-returns", ProgressReturnViewSet, basename="progress-return")

v1 = [
    path("auth/signup/", SignupApi.as_view(), name="signup"),
    path("reports/<slug:name>/", ReportApi.as_view(), name="report"),
    path("auth/token/", TokenApi.as_view(), name="token"),
    path("auth/tokens/", TokenListApi.as_view(), name="tokens"),
    path("auth/tokens/<str:token_key>/", TokenRevokeApi.as_view(), name="token_revoke"),
    path("auth/logout/", LogoutApi.as_view(), name="logout"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
