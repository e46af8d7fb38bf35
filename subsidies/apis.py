"""The API of subsidy schemes and billing (api.md). Thin: scoped selectors for reads (404 for
anything outside the caller's scope), subsidies.services for writes; their errors map to
400/403/409 in stp_portal.api."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import TYPE_CHECKING, Any, cast

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.drf import Allows
from stp_portal.downloads import pdf_download
from tenants.selectors import leases_visible_to

from . import services
from .filters import BillingRunApiFilter, ChargeApiFilter, StatementApiFilter
from .models import CreditNote, Payment
from .permissions import ensure
from .selectors import (
    billing_runs_visible_to,
    charges_list,
    credit_note_detail,
    schemes_visible_to,
    statement_detail,
)
from .serializers import (
    BillingRunInputSerializer,
    BillingRunSerializer,
    ChargeInputSerializer,
    ChargeSerializer,
    CreditNoteInputSerializer,
    CreditNoteSerializer,
    PaymentInputSerializer,
    PaymentSerializer,
    StatementSerializer,
    SubsidySchemeSerializer,
)

if TYPE_CHECKING:
    from accounts.models import User

# --- Subsidy schemes -----------------------------------------------------------------------------
SCHEME_APPLIED = OpenApiResponse(
    description="The scheme is applied to issued statements: its rules can no longer change."
)


@extend_schema_view(
    partial_update=extend_schema(responses={200: SubsidySchemeSerializer, 409: SCHEME_APPLIED})
)
class SubsidySchemeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Subsidy schemes; PSEB writes them. A scheme applied to issued statements keeps what
    decided their amounts: changing it answers 409 (make a new scheme instead)."""

    serializer_class = SubsidySchemeSerializer
    # Others are refused the list and the calls (403); a scheme itself is simply out of their
    # scope (404, from the scoped queryset), so no id answers differently from another.
    permission_classes = [IsAuthenticated, Allows.to("read_schemes")]

    def get_queryset(self):
        return (
            schemes_visible_to(self.request.user)
            .prefetch_related("parks")
            .order_by("-valid_from", "name")
        )

    def create(self, request: Request) -> Response:
        data = SubsidySchemeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scheme = services.scheme_create(
            user=cast("User", request.user),  # IsAuthenticated: never anonymous
            data=services.SchemeInput.build(data.validated_data),
        )
        return Response(SubsidySchemeSerializer(scheme).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: SubsidySchemeSerializer, 409: SCHEME_APPLIED})
    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        scheme = self.get_object()
        data = SubsidySchemeSerializer(scheme, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        scheme = services.scheme_update(
            user=cast("User", request.user),  # IsAuthenticated: never anonymous
            scheme=scheme,
            data=services.SchemeInput.build(data.validated_data, scheme=scheme),
        )
        return Response(SubsidySchemeSerializer(scheme).data)


# --- Other charges -------------------------------------------------------------------------------
class ChargeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Other charges (power backup, parking, damages…) in the caller's scope; PSEB and the
    park's managers record them for a lease and month; one for a month already billed is
    billed at once on a supplementary statement."""

    serializer_class = ChargeSerializer
    filterset_class = ChargeApiFilter

    def get_queryset(self):
        return charges_list(self.request.user).order_by("-period", "-pk")

    @extend_schema(
        request=ChargeInputSerializer,
        responses={
            201: ChargeSerializer,
            404: OpenApiResponse(description="The lease is not one you may charge."),
        },
    )
    def create(self, request: Request) -> Response:
        data = ChargeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # A lease outside the caller's scope is no lease at all (404, as for a park out of
        # scope when applying): its existence is not leaked.
        lease = leases_visible_to(request.user).filter(pk=values["lease"]).first()
        if lease is None:
            raise Http404
        recorded = services.charge_record(
            user=cast("User", request.user),  # IsAuthenticated: never anonymous
            lease=lease,
            period=values["period"],
            description=values["description"],
            amount=values["amount"],
        )
        charge = self.get_queryset().get(pk=recorded.charge.pk)
        return Response(ChargeSerializer(charge).data, status=status.HTTP_201_CREATED)


# --- Billing runs --------------------------------------------------------------------------------
class BillingRunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests to bill a month (for every park, or one); the worker does the work and the run
    records its progress. Billing a month again adds only what is missing."""

    serializer_class = BillingRunSerializer
    filterset_class = BillingRunApiFilter
    # Others are refused the list and the call (403); a run's detail is simply out of their
    # scope (404, from the scoped queryset).
    permission_classes = [IsAuthenticated, Allows.to("run_billing")]

    def get_queryset(self):
        return billing_runs_visible_to(self.request.user).select_related("park")

    @extend_schema(request=BillingRunInputSerializer, responses={201: BillingRunSerializer})
    def create(self, request: Request) -> Response:
        data = BillingRunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = cast("User", request.user)  # IsAuthenticated: never anonymous
        run = services.billing_run_start(user=user, **data.validated_data)
        run = self.get_queryset().get(pk=run.pk)
        return Response(BillingRunSerializer(run).data, status=status.HTTP_201_CREATED)


# --- Statements ----------------------------------------------------------------------------------
class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the file itself is streamed."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type=None, renderer_context=None) -> bytes:
        return data if isinstance(data, bytes) else b""


class PdfErrorsAsJson(viewsets.GenericViewSet):
    """A viewset with a ``pdf`` action: its errors are JSON (api.md), also for a client
    that asked for the PDF."""

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON (api.md), also for a client that asked for the PDF.
        response = super().handle_exception(exc)
        if isinstance(getattr(self.request, "accepted_renderer", None), PdfRenderer):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response


class StatementViewSet(PdfErrorsAsJson, viewsets.ReadOnlyModelViewSet):
    """Statements in the caller's scope, with their balance and derived status. Issued by
    billing only, never changed: payments and credit notes are recorded against them."""

    serializer_class = StatementSerializer
    filterset_class = StatementApiFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return statement_detail(self.request.user)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(response=bytes, description="The PDF."),
            404: OpenApiResponse(description="Out of scope, or the PDF is not rendered yet."),
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, pk: str) -> FileResponse:
        statement = self.get_object()
        if not statement.pdf:
            raise Http404("The PDF of this statement is not ready yet.")
        try:
            handle = statement.pdf.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404("The PDF of this statement is not ready yet.") from exc
        return pdf_download(handle, f"{statement.number}.pdf")

    @extend_schema(
        request=PaymentInputSerializer,
        responses={201: PaymentSerializer, 409: OpenApiResponse(description="Nothing owed.")},
    )
    @action(detail=True, methods=["post"])
    def payments(self, request: Request, pk: str) -> Response:
        return self._record(
            request,
            "record_payment",
            PaymentInputSerializer,
            services.payment_record,
            PaymentSerializer,
        )

    @extend_schema(
        request=CreditNoteInputSerializer,
        responses={
            201: CreditNoteSerializer,
            409: OpenApiResponse(description="Already fully credited."),
        },
    )
    @action(detail=True, methods=["post"], url_path="credit-note", url_name="credit-note")
    def credit_note(self, request: Request, pk: str) -> Response:
        return self._record(
            request,
            "issue_credit_note",
            CreditNoteInputSerializer,
            services.credit_note_issue,
            CreditNoteSerializer,
        )

    def _record(
        self,
        request: Request,
        permission: str,
        given: type[serializers.Serializer],
        service: Callable[..., Payment | CreditNote],
        answer: type[serializers.Serializer],
    ) -> Response:
        """A payment or a credit note against a statement in the caller's scope (else 404):
        the role first (403), then the input (400), then the service (400/409)."""
        statement = self.get_object()
        ensure(permission, request.user, statement)
        data = given(data=request.data)
        data.is_valid(raise_exception=True)
        made = service(user=request.user, statement=statement, **data.validated_data)
        return Response(answer(made).data, status=status.HTTP_201_CREATED)


# --- Credit notes --------------------------------------------------------------------------------
class CreditNoteViewSet(PdfErrorsAsJson, viewsets.ReadOnlyModelViewSet):
    """Credit notes of the statements in the caller's scope, with their lines (domain.md
    §7.2); issued through ``POST statements/{id}/credit-note/`` or by a termination."""

    serializer_class = CreditNoteSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return credit_note_detail(self.request.user)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(response=bytes, description="The PDF."),
            404: OpenApiResponse(description="Out of scope."),
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, pk: str) -> FileResponse:
        from .pdf import renderer  # WeasyPrint: loaded only when a PDF is asked for

        note = self.get_object()
        return pdf_download(BytesIO(renderer().render_credit_note(note)), f"{note.number}.pdf")
