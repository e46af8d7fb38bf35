"""The API of parks and units (api.md). Parks are public; units are public as vacancies and
in full to PSEB staff and the park's managers; writes go through parks.services."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.figures import rate
from core.vocabulary import UnitStatus

from . import services
from .filters import ParkApiFilter, UnitApiFilter
from .models import Park, Unit
from .selectors import park_directory, parks_managed_by, with_unit_status


class ParkSerializer(serializers.ModelSerializer):
    units_total = serializers.IntegerField(read_only=True)
    units_vacant = serializers.IntegerField(read_only=True)
    occupancy = serializers.SerializerMethodField(
        help_text="Leased area ÷ leasable area today, 4 decimals; null when nothing is leasable."
    )

    class Meta:
        model = Park
        fields = (
            "id",
            "code",
            "name",
            "city",
            "province",
            "tier",
            "status",
            "opening_date",
            "rent_per_sqft",
            "operator",
            "address",
            "latitude",
            "longitude",
            "description",
            "units_total",
            "units_vacant",
            "occupancy",
        )
        read_only_fields = ("id",)

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True))
    def get_occupancy(self, park: Park) -> str | None:
        if not hasattr(park, "leased_area"):
            return None
        ratio = rate(park.leased_area, park.leasable_area)
        return None if ratio is None else f"{ratio:.4f}"


class ParkViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Every park, public; PSEB staff create and edit them."""

    serializer_class = ParkSerializer
    filterset_class = ParkApiFilter

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self):
        return park_directory(self.request.user)

    def create(self, request: Request) -> Response:
        data = ParkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        park = services.park_create(user=request.user, **data.validated_data)
        return Response(
            ParkSerializer(self.get_queryset().get(pk=park.pk)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        park = self.get_object()
        data = ParkSerializer(park, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        services.park_update(user=request.user, park=park, **data.validated_data)
        return Response(ParkSerializer(self.get_queryset().get(pk=park.pk)).data)


class UnitSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    monthly_rent = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Blank: area × the park's rate.",
    )

    class Meta:
        model = Unit
        fields = (
            "id",
            "park",
            "code",
            "floor",
            "kind",
            "area_sqft",
            "seats",
            "monthly_rent",
            "internet_fee",
            "under_maintenance",
            "status",
        )
        read_only_fields = ("id", "status")
        validators: list = []  # the service gives the friendly "code taken" message


class UnitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Vacant units are public; PSEB staff and a park's managers see and edit all of its."""

    serializer_class = UnitSerializer
    filterset_class = UnitApiFilter

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self):
        units = with_unit_status(Unit.objects.all(), timezone.localdate())
        in_scope = Q(park__in=parks_managed_by(self.request.user))
        return units.filter(in_scope | Q(status=UnitStatus.VACANT)).order_by("park_id", "code")

    def create(self, request: Request) -> Response:
        data = UnitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        park = fields.pop("park")
        unit = services.unit_create(user=request.user, park=park, **fields)
        return Response(
            UnitSerializer(self.get_queryset().get(pk=unit.pk)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        unit = self.get_object()
        data = UnitSerializer(unit, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.pop("park", unit.park) != unit.park:
            raise serializers.ValidationError({"park": ["A unit cannot move to another park."]})
        services.unit_update(user=request.user, unit=unit, **fields)
        return Response(UnitSerializer(self.get_queryset().get(pk=unit.pk)).data)
