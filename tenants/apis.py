"""The API of companies, applications and leases (api.md). Thin: scoped selectors for reads,
tenants.services for writes; errors map to 400/403/404/409 in stp_portal.api."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.vocabulary import UnitKind
from parks.models import Park
from parks.selectors import parks_visible_to
from stp_portal.downloads import pdf_download
from stp_portal.middleware import accepts_document_upload

from . import services
from .filters import MAX_ID, ApplicationApiFilter, LeaseApiFilter
from .inputs import APPLICATION_FIELDS, ApplicationInput, CompanyInput
from .models import Application, Company
from .permissions import has_permission
from .selectors import (
    application_detail,
    applications_list,
    companies_visible_to,
    company_of,
    leases_list,
)
from .serializers import (
    ApplicationDetailSerializer,
    ApplicationSerializer,
    CompanySerializer,
    DocumentSerializer,
    LeaseSerializer,
)

if TYPE_CHECKING:
    from accounts.models import User


def _user(request: Request) -> User:
    """The caller: a portal user, as the API's default permission (IsAuthenticated) makes it."""
    return cast("User", request.user)


class CompanyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Companies in the caller's scope. A company user creates theirs and becomes owner."""

    serializer_class = CompanySerializer

    def get_queryset(self):
        return companies_visible_to(self.request.user).order_by("name")

    @extend_schema(
        responses={
            201: CompanySerializer,
            409: OpenApiResponse(description="You already belong to a company."),
        }
    )
    def create(self, request: Request) -> Response:
        data = CompanySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = services.company_create(
            user=_user(request), data=CompanyInput(**data.validated_data)
        )
        return Response(CompanySerializer(company).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        company = self.get_object()
        data = CompanySerializer(company, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        changed = replace(CompanyInput.of(company), **data.validated_data)
        company = services.company_update(user=_user(request), company=company, data=changed)
        return Response(CompanySerializer(company).data)


class ApplicationInputSerializer(serializers.ModelSerializer):
    company = serializers.IntegerField(
        required=False, help_text="Your company; the only one you may use."
    )
    park = serializers.PrimaryKeyRelatedField(queryset=Park.objects.all())
    seats = serializers.IntegerField(min_value=0, max_value=10_000, default=0)
    # The stubs want a Decimal default; 0 is what the schema shows and the input receives.
    area_sqft = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        default=0,  # type: ignore[arg-type]
    )
    unit_kind = serializers.ChoiceField(choices=UnitKind.choices)
    desired_start = serializers.DateField()
    duration_months = serializers.IntegerField(min_value=1, max_value=120)
    business_plan = serializers.CharField(max_length=5000)

    class Meta:
        model = Application
        fields = ("company", *APPLICATION_FIELDS)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ApproveSerializer(serializers.Serializer):
    units = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=500,
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


def _step(name: str, *, method: str = "", **schema: Any) -> Any:
    """A workflow step's endpoint, POST /applications/{id}/<name>/ (api.md): the reason or
    comment in, the application as it now is out. ``method`` is the view's method name."""

    def take(self: ApplicationViewSet, request: Request, pk: str) -> Response:
        return self._transition(request, name)

    take.__name__ = take.__qualname__ = method or name
    route = {"url_path": name, "url_name": name} if method else {}
    schema = {"request": ReasonSerializer, "responses": ApplicationSerializer, **schema}
    return extend_schema(**schema)(action(detail=True, methods=["post"], **route)(take))


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Applications in the caller's scope, and their workflow actions (api.md)."""

    filterset_class = ApplicationApiFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return application_detail(self.request.user)
        return applications_list(self.request.user).order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return ApplicationDetailSerializer if self.action == "retrieve" else ApplicationSerializer

    def _own_company(self, request: Request, wanted: int | None) -> Company:
        company = company_of(request.user)
        if company is None:
            if has_permission("create_company", request.user):
                raise serializers.ValidationError(
                    {"company": ["Create your company profile first."]}
                )
            raise PermissionDenied("Only company users apply for space.")
        if wanted is not None and wanted != company.pk:
            raise serializers.ValidationError(
                {"company": ["You can only apply for your own company."]}
            )
        return company

    @extend_schema(
        request=ApplicationInputSerializer,
        responses={
            201: ApplicationSerializer,
            404: OpenApiResponse(description="The park is not one you may apply to."),
        },
    )
    def create(self, request: Request) -> Response:
        data = ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        company = self._own_company(request, fields.pop("company", None))
        if not parks_visible_to(request.user).filter(pk=fields["park"].pk).exists():
            raise Http404
        application = services.application_create(
            user=_user(request), company=company, data=ApplicationInput(**fields)
        )
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationInputSerializer, responses={200: ApplicationSerializer})
    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        application = self.get_object()
        data = ApplicationInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("company", None)
        changed = replace(ApplicationInput.of(application), **fields)
        application = services.application_update(
            user=_user(request), application=application, data=changed
        )
        return Response(ApplicationSerializer(application).data)

    def _transition(self, request: Request, name: str) -> Response:
        application = self.get_object()  # out of scope is 404 before any input is judged
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_transition(
            user=_user(request),
            application=application,
            action=name,
            reason=data.validated_data["reason"],
        )
        return Response(ApplicationSerializer(application).data)

    submit = _step(
        "submit",
        request=None,
        responses={
            200: ApplicationSerializer,
            400: OpenApiResponse(description="The application is not complete yet."),
        },
    )
    withdraw = _step("withdraw")
    review = _step("review")
    reject = _step("reject")
    return_ = _step("return", method="return_")  # "return" is Python's

    @extend_schema(request=ApproveSerializer, responses={201: LeaseSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        application = self.get_object()
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lease = services.application_approve(
            user=_user(request),
            application=application,
            unit_ids=data.validated_data["units"],
            start_date=data.validated_data["start_date"],
            end_date=data.validated_data["end_date"],
            comment=data.validated_data["comment"],
        )
        lease = leases_list(request.user).get(pk=lease.pk)
        return Response(LeaseSerializer(lease).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    @accepts_document_upload
    def documents(self, request: Request, pk: str) -> Response:
        application = self.get_object()
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_add(
            user=_user(request), application=application, upload=data.validated_data["file"]
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_pk>\d+)")
    def document(self, request: Request, pk: str, document_pk: str) -> FileResponse:
        application = self.get_object()
        document = application.documents.filter(pk=document_pk).first()
        if document is None:
            raise Http404
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return pdf_download(handle, document.original_name)


class TerminateSerializer(serializers.Serializer):
    end_date = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class LeaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Leases in the caller's scope; they are created by approval (api.md)."""

    serializer_class = LeaseSerializer
    filterset_class = LeaseApiFilter

    def get_queryset(self):
        return leases_list(self.request.user)

    @extend_schema(request=TerminateSerializer, responses=LeaseSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request: Request, pk: str) -> Response:
        lease = self.get_object()
        data = TerminateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.lease_terminate(user=_user(request), lease=lease, **data.validated_data)
        return Response(LeaseSerializer(self.get_queryset().get(pk=lease.pk)).data)
