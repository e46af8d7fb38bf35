from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import User
from core.vocabulary import ParkStatus
from parks.selectors import (
    ParkRow,
    park_directory,
    park_figures,
)

# The public impact figures change when a return is filed: a few minutes old is fine for the
# home page, which everyone opens, and they read the returns of every park.
PUBLIC_IMPACT_SECONDS = 600

# Parks a home page or dashboard shows, those with the most vacant units first: at national
# scale (250 parks) the whole list is the directory's, not a landing page's.
PARKS_SHOWN = 12


def most_room_first(units_vacant: int, name: str) -> tuple[int, str]:
    """The order the parks shown come in: the most vacant units first, then by name."""
    return (-units_vacant, name)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # Every park once (the programme's counts and the map), then the open ones' figures.
    parks = list(park_directory(request.user))
    open_parks = {p.pk: p for p in parks if p.status == ParkStatus.EXISTING}
    figures = park_figures(open_parks)
    # Upcoming parks take no tenant yet: the open ones with the most room are shown, the
    # directory lists them all.
    room = {pk: most_room_first(figures[pk].units_vacant, p.name) for pk, p in open_parks.items()}
    shown = sorted(open_parks, key=room.__getitem__)[:PARKS_SHOWN]
    context = {
        "parks": parks,
        "open_parks": [ParkRow(open_parks[pk], figures[pk]) for pk in shown],
        "open_total": len(open_parks),
        "counts": {
            status.label: sum(1 for p in parks if p.status == status) for status in ParkStatus
        },
        "by_status": [
            (status, sum(1 for p in parks if p.status == status)) for status in ParkStatus
        ],
        "vacancies": sum(f.units_vacant for f in figures.values()),
        "cities": len({p.city for p in parks}),
        "parks_open": len(open_parks),
        "impact": _public_impact(),
    }
    return render(request, "home.html", context)


def _public_impact() -> Any:
    """The programme's national impact figures (``reports.selectors.impact.public_impact``),
    cached for the day they are read on."""
    from reports.selectors.impact import public_impact

    today = timezone.localdate()
    return cache.get_or_set(
        f"home:public-impact:{today:%Y-%m-%d}", lambda: public_impact(today), PUBLIC_IMPACT_SECONDS
    )


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker compose: the database and the cache answer."""
    checks = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        checks["database"] = "unavailable"
    try:
        cache.set("health:probe", "1", timeout=5)
        if cache.get("health:probe") != "1":
            checks["cache"] = "unavailable"
    except Exception:  # any cache client error means the cache is down
        checks["cache"] = "unavailable"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Each role's landing page after signing in: a company's, or staff's (PSEB, managers)."""
    from stp_portal import dashboards

    user = cast(User, request.user)  # login_required: a signed-in user, never anonymous
    if user.is_company_user:
        return dashboards.company(request, user)
    return dashboards.staff(request, user)


# Django's error views: the API's callers get JSON (api.md), everyone else the portal's page.
def _for_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL no route matches, or an object out of scope (404, never 403)."""
    if _for_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django could not read: a body over the size limit, too many fields."""
    if _for_api(request):
        return JsonResponse(
            {"detail": "The request could not be read: it is too large or malformed."},
            status=400,
        )
    return defaults.bad_request(request, exception)


def too_many_requests(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A client over a page's rate limit (django-ratelimit): 429, with when to come back."""
    message = "Too many requests from your address. Wait a few minutes and try again."
    if _for_api(request):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = "300"
    return response


def request_too_large(request: HttpRequest) -> HttpResponse:
    """A request body over its limit (stp_portal.middleware.RequestBodyLimitMiddleware): 413."""
    document_mb = settings.UPLOAD_MAX_BYTES // 1_048_576
    request_mb = max(settings.REQUEST_MAX_BYTES // 1_048_576, 1)
    message = (
        f"The request is too large. A document upload may be at most {document_mb} MB, "
        f"any other request at most {request_mb} MB."
    )
    if _for_api(request):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "413.html", {"message": message}, status=413)
