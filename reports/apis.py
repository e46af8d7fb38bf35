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
from stp_portal.exports import FORMATS

from core.tables import json_rows

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
        "parks": report.scope.label,
        "filters": dict(report.filters.described()),
        **json_rows(report.table),
        "figures": {key: _figure(value) for key, value in report.figures.items()},
    }
    for key, table in report.tables.items():
        answer[key] = json_rows(table)
    if report.computed_at is not None:
        answer["computed_at"] = report.computed_at.isoformat()
    return answer


FILTERS = [
    OpenApiParameter(
        "as_of", OpenApiTypes.DATE, description="Figures as on this date (default today)."
    ),
    OpenApiParameter("park", str, description="A park's code."),
    OpenApiParameter("province", str),
    OpenApiParameter("tier", str),
    OpenApiParameter("status", str, description="The parks' status."),
    OpenApiParameter("from", str, description="First period, YYYY-MM (period reports)."),
    OpenApiParameter("to", str, description="Last period, YYYY-MM (period reports)."),
    OpenApiParameter("months", int, description="occupancy: months of month-end series (0-24)."),
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
                    "parks": serializers.CharField(),
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
        if not form.is_valid():
            return Response(_errors(form.errors), status=400)
        filters = form.filters()
        report = spec.build(report_scope(request.user, filters), filters)
        fmt = request.accepted_renderer.format
        if fmt in FORMATS:
            return report_download(
                report, fmt=fmt, table_name=request.query_params.get("table", "")
            )
        return Response(report_answer(report))

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON (api.md), also for a client that asked for a file.
        response = super().handle_exception(exc)
        if isinstance(getattr(self.request, "accepted_renderer", None), _FileRenderer):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response


def _errors(errors: Any) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in errors.items()}
