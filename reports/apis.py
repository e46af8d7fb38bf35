"""``GET /api/v1/reports/<name>/`` (api.md "Progress returns and reports"): the same report,
filters and numbers as its page, as JSON ``{as_of, rows, totals, ...}`` or, with
``?format=csv|xlsx``, as the same file the page downloads. PSEB: every park; a park manager:
theirs; anyone else signed in: 404; not signed in: 401."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.calendar import PERIOD_PATTERN, QUARTER_PATTERN
from core.tables import json_rows
from core.vocabulary import ParkStatus, Province, Tier
from stp_portal.exports import FORMATS

from .downloads import report_download
from .forms import ReportFilterForm
from .frame import Report, report_parks, report_scope
from .registry import REPORTS


class _FileRenderer(BaseRenderer):
    """Lets ``?format=csv|xlsx`` through DRF's negotiation; the file itself is streamed."""

    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type=None, renderer_context=None) -> bytes:
        return b""


class CsvRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XlsxRenderer(_FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


def _figure(value: Any) -> Any:
    """A headline figure as JSON: Decimal amounts and percents as strings (api.md)."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def report_answer(report: Report) -> dict[str, Any]:
    """The JSON answer: as-of date, the scope's parks, the filters, the main table's rows
    and totals, the headline figures, and each further table under its name."""
    answer: dict[str, Any] = {
        "report": report.name,
        "as_of": report.as_of.isoformat(),
        "scope": report.scope.label,
        "filters": dict(report.filters.described()),
        **json_rows(report.table),
        "figures": {key: _figure(value) for key, value in report.figures.items()},
    }
    for key, table in report.tables.items():
        answer[key] = json_rows(table)
    if report.computed_at is not None:
        answer["computed_at"] = report.computed_at.isoformat()
    return answer


# A date as the filters take it: a day of a year FIRST_YEAR..LAST_YEAR (core.calendar).
DATE_SCHEMA = {"type": "string", "format": "date", "pattern": r"^(199[0-9]|2[0-9]{3})-"}
FILTERS = [
    OpenApiParameter("as_of", DATE_SCHEMA, description="Figures as on this date (default today)."),
    OpenApiParameter("park", str, description="A park's code, among the caller's parks."),
    OpenApiParameter("province", str, enum=Province.values),
    OpenApiParameter("tier", str, enum=Tier.values),
    OpenApiParameter("status", str, enum=ParkStatus.values, description="The parks' status."),
    OpenApiParameter(
        "from",
        {"type": "string", "pattern": PERIOD_PATTERN},
        description="First period, YYYY-MM (subsidy-given, collections, pipeline).",
    ),
    OpenApiParameter(
        "to",
        {"type": "string", "pattern": PERIOD_PATTERN},
        description="Last period, YYYY-MM, not before `from`.",
    ),
    OpenApiParameter(
        "months",
        {"type": "integer", "minimum": 0, "maximum": 24},
        description="occupancy: months of month-end series (default 12).",
    ),
    OpenApiParameter(
        "quarter",
        {"type": "string", "pattern": QUARTER_PATTERN},
        description="impact: a fiscal quarter over by `as_of`, e.g. `2026-27 Q2` (default: "
        "the latest one over).",
    ),
    OpenApiParameter("table", str, description="With format: a table under the main one."),
    OpenApiParameter("format", str, enum=list(FORMATS), description="A file instead of JSON."),
    OpenApiParameter(
        "name", str, OpenApiParameter.PATH, enum=list(REPORTS), description="The report."
    ),
]
TABLE = inline_serializer(
    "ReportTable",
    {
        "rows": serializers.ListField(child=serializers.DictField()),
        "totals": serializers.DictField(allow_null=True),
    },
)


class ReportApi(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, CsvRenderer, XlsxRenderer]

    @extend_schema(
        operation_id="reports_retrieve",
        parameters=FILTERS,
        responses={
            (200, "application/json"): inline_serializer(
                "Report",
                {
                    "report": serializers.CharField(),
                    "as_of": serializers.DateField(),
                    "scope": serializers.CharField(),
                    "filters": serializers.DictField(),
                    "rows": serializers.ListField(child=serializers.DictField()),
                    "totals": serializers.DictField(allow_null=True),
                    "figures": serializers.DictField(),
                },
            ),
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XlsxRenderer.media_type): OpenApiTypes.BINARY,
        },
        description="A programme report (domain.md §7) as JSON, CSV or XLSX. Reports: "
        + "; ".join(f"`{spec.name}`: {spec.summary}" for spec in REPORTS.values()),
    )
    def get(self, request: Request, name: str) -> HttpResponseBase:
        spec = REPORTS.get(name)
        if spec is None:
            raise Http404("No such report.")
        report_parks(request.user)
        form = ReportFilterForm(request.query_params, user=request.user, spec=spec)
        # As every list's filters (stp_portal.api_requests): a filter given with no value is
        # bad input, not a filter left out (the page's form may send blanks; a client not).
        empty = {
            name: ["Give a value, or leave this filter out."]
            for name in [*form.fields, "table", "format"]
            if any(not value.strip() for value in request.query_params.getlist(name))
        }
        if empty:
            return self._json(Response(empty, status=400))
        if not form.is_valid():
            return self._json(Response(_errors(form.errors), status=400))
        filters = form.filters()
        report = spec.build(report_scope(request.user, filters), filters)
        fmt = request.accepted_renderer.format
        if fmt in FORMATS:
            return report_download(
                report, fmt=fmt, table_name=request.query_params.get("table", "")
            )
        return Response(report_answer(report))

    def _json(self, response: Response) -> Response:
        """Errors are JSON (api.md), also for a client that asked for a file."""
        if isinstance(getattr(self.request, "accepted_renderer", None), _FileRenderer):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response

    def handle_exception(self, exc: Exception) -> Response:
        return self._json(super().handle_exception(exc))


def _errors(errors: Any) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in errors.items()}
