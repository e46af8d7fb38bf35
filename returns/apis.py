"""The API of progress returns (api.md "Progress returns"). Thin: scoped selectors for reads
(outside the caller's scope: 404), ``returns.services`` for filing and amending; their errors
map to 400/403/409 in ``stp_portal.api``.

A return's ``id`` is its owed return's key ("12-3-150": company, park, quarter), so one
address serves it before and after it is filed, and for all its versions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db.models import CharField, QuerySet, Value
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.permissions import ensure
from core.vocabulary import ReturnStatus
from stp_portal.api_requests import JSONParser
from stp_portal.errors import Conflict
from tenants.selectors import company_of

from . import services
from .filters import ProgressReturnApiFilter, ProgressReturnVersionApiFilter
from .inputs import version_seen
from .models import OwedReturn, ProgressReturn
from .selectors import (
    owed_key,
    owed_returns_visible_to,
    owed_with_key,
    progress_returns_visible_to,
)
from .serializers import (
    ProgressReturnSerializer,
    ReturnAmendSerializer,
    ReturnFileSerializer,
    ReturnRow,
)

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Company

    from .tables import OwedWithStatus

KEY_PATTERN = "[0-9]{1,19}-[0-9]{1,19}-[0-9]{1,19}"
ALL_VERSIONS = "all"
VERSIONS = OpenApiParameter(
    "versions",
    OpenApiTypes.STR,
    enum=[ALL_VERSIONS],
    description="`all`: every filed version (each with its `version`, `reason` and "
    "`filed_at`) instead of one row per return.",
)
NOT_OWED = OpenApiResponse(
    description="Already filed (amend it instead), or not owed: no lease in that park in that "
    "quarter, or the quarter is not over."
)
NOT_AMENDABLE = OpenApiResponse(
    description="Not filed yet (file it first), or the version named is no longer the latest."
)


class ProgressReturnViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Progress returns in the caller's scope (PSEB all, managers their parks, companies
    their own): owed ones with status due or overdue and no figures, filed ones with the
    current version's figures. A company's owner or member files and amends them."""

    serializer_class = ProgressReturnSerializer
    parser_classes = [JSONParser]
    lookup_value_regex = KEY_PATTERN

    def get_object(self) -> Any:
        # By the key's three columns (returns.selectors.owed_with_key), then as DRF would.
        rows = owed_with_key(self.filter_queryset(self.get_queryset()), self.kwargs["pk"])
        owed = get_object_or_404(rows)
        self.check_object_permissions(self.request, owed)
        return owed

    def _all_versions(self) -> bool:
        given = self.request.query_params.getlist("versions")
        if given and given != [ALL_VERSIONS]:
            raise serializers.ValidationError(
                {"versions": [f"Write versions={ALL_VERSIONS}, or leave it out."]}
            )
        return bool(given)

    @property
    def filterset_class(self) -> type[ProgressReturnApiFilter]:
        if self.action == "list" and self._all_versions():
            return ProgressReturnVersionApiFilter
        return ProgressReturnApiFilter

    def get_queryset(self) -> QuerySet[Any]:
        user = self.request.user
        if self.action == "list" and self._all_versions():
            filed = Value(ReturnStatus.FILED.value, output_field=CharField())
            return progress_returns_visible_to(user).annotate(status=filed)
        return owed_returns_visible_to(user)

    def _answer(self, rows: Any, **kwargs: Any) -> Any:
        """Rows as the API shows them: owed returns, or filed versions."""
        shown = [
            ReturnRow.of_version(row)
            if isinstance(row, ProgressReturn)
            else ReturnRow.of_owed(cast("OwedWithStatus", row))
            for row in rows
        ]
        return ProgressReturnSerializer(shown, many=True, **kwargs).data

    @extend_schema(parameters=[VERSIONS])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(rows)
        if page is None:  # pragma: no cover - every list here is paginated
            return Response(self._answer(rows))
        return self.get_paginated_response(self._answer(page))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        owed = cast("OwedWithStatus", self.get_object())
        return Response(ProgressReturnSerializer(ReturnRow.of_owed(owed)).data)

    def _filed(self, user: User, company_id: int, park_id: int, quarter_id: int) -> Response:
        key = owed_key(company_id, park_id, quarter_id)
        owed = cast("OwedWithStatus", owed_with_key(owed_returns_visible_to(user), key).get())
        data = ProgressReturnSerializer(ReturnRow.of_owed(owed)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReturnFileSerializer,
        responses={201: ProgressReturnSerializer, 409: NOT_OWED},
    )
    def create(self, request: Request) -> Response:
        """Files the caller's company's return for a park and quarter (the company is the
        caller's own). PSEB staff and park managers read returns but never file them (403)."""
        user = cast("User", request.user)  # IsAuthenticated: never anonymous
        company = company_of(user)
        ensure("file_return", user, company)  # no company of one's own: refused too
        data = ReturnFileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        filed = services.progress_return_file(
            user=user,
            company=cast("Company", company),
            park=data.validated_data["park"],
            quarter=data.validated_data["quarter"],
            figures=data.figures(),
        )
        return self._filed(user, filed.company_id, filed.park_id, filed.quarter_id)

    @extend_schema(
        request=ReturnAmendSerializer,
        responses={201: ProgressReturnSerializer, 409: NOT_AMENDABLE},
    )
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str) -> Response:
        """Files a new version of a filed return, with the reason; the earlier versions stay
        (``?versions=all``) and the new one counts."""
        user = cast("User", request.user)
        owed = cast(OwedReturn, self.get_object())
        ensure("file_return", user, owed.company)
        data = ReturnAmendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if owed.current is None:
            raise Conflict(
                f"The return for {owed.quarter} at {owed.park} is not filed yet: file it first."
            )
        amended = services.progress_return_amend(
            user=user,
            previous=version_seen(owed.current, data.validated_data["version"]),
            reason=data.validated_data["reason"],
            figures=data.figures(),
        )
        return self._filed(user, amended.company_id, amended.park_id, amended.quarter_id)
