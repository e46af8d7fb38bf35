"""The API of parks and units (api.md). Parks are public; units are public as vacancies and
in full to PSEB staff and the park's managers; writes go through parks.services."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Model, Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.drf import Allows
from core.vocabulary import UnitStatus

from . import services
from .filters import ParkApiFilter, UnitApiFilter
from .models import PARK_FIELDS, UNIT_FIELDS, Park, Unit
from .selectors import (
    ParkFigures,
    park_directory,
    park_figures,
    parks_managed_by,
    with_unit_status,
)


class ParkListSerializer(serializers.ListSerializer):
    """A page of parks: their figures read at once (``park_figures``: two queries at most)."""

    def to_representation(self, data: Any) -> list[Any]:
        parks = list(data.all() if hasattr(data, "all") else data)
        child = cast(serializers.Field, self.child)  # a list serializer always has its child
        child.context["figures"] = park_figures([park.pk for park in parks])
        return super().to_representation(parks)


class ParkSerializer(serializers.ModelSerializer):
    units_total = serializers.SerializerMethodField(help_text="Units in the park.")
    units_vacant = serializers.SerializerMethodField(help_text="Units vacant today.")
    occupancy = serializers.SerializerMethodField(
        help_text="Leased area ÷ leasable area today, 4 decimals; null when nothing is leasable."
    )
    status_label = serializers.CharField(
        source="status_word",
        read_only=True,
        help_text='The status in a visitor\'s words: "Open", "Opening 2027" (the year of the '
        'expected opening; "Opening soon" without one), "Planned". ``status`` is unchanged.',
    )

    class Meta:
        model = Park
        fields = ("id", *PARK_FIELDS, "status_label", "units_total", "units_vacant", "occupancy")
        read_only_fields = ("id",)
        list_serializer_class = ParkListSerializer

    def _figures(self, park: Park) -> ParkFigures:
        figures = self.context.get("figures") or {}
        if park.pk not in figures:
            figures = self.context["figures"] = {**figures, **park_figures([park.pk])}
        return figures[park.pk]

    def get_units_total(self, park: Park) -> int:
        return self._figures(park).units_total

    def get_units_vacant(self, park: Park) -> int:
        return self._figures(park).units_vacant

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True))
    def get_occupancy(self, park: Park) -> str | None:
        ratio = self._figures(park).occupancy.by_area
        return None if ratio is None else f"{ratio:.4f}"


class _PublicReadViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Read by anyone; written by a signed-in user whom ``writers`` let through, and the
    service after them (its ``ensure``)."""

    writers: tuple[type[BasePermission], ...] = ()

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated(), *(writer() for writer in self.writers)]

    # The write hooks: the validated input in, the service's result out.
    def add(self, user: Any, fields: dict[str, Any]) -> Model:
        raise NotImplementedError

    def change(self, user: Any, obj: Any, fields: dict[str, Any]) -> None:
        raise NotImplementedError

    def _answer(self, obj: Model, status_code: int = status.HTTP_200_OK) -> Response:
        """The object as a read shows it (with the figures the queryset annotates)."""
        return Response(
            self.get_serializer_class()(self.get_queryset().get(pk=obj.pk)).data, status_code
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.get_serializer_class()(data=request.data)
        data.is_valid(raise_exception=True)
        created = self.add(request.user, dict(data.validated_data))
        return self._answer(created, status.HTTP_201_CREATED)

    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        obj = self.get_object()
        data = self.get_serializer_class()(obj, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        self.change(request.user, obj, dict(data.validated_data))
        return self._answer(obj)


class ParkViewSet(_PublicReadViewSet):
    """Every park, public; PSEB staff create and edit them."""

    serializer_class = ParkSerializer
    filterset_class = ParkApiFilter
    writers = (Allows.to("edit_park", methods=("POST", "PUT", "PATCH")),)

    def get_queryset(self):
        return park_directory(self.request.user)

    def add(self, user: Any, fields: dict[str, Any]) -> Park:
        return services.park_create(user=user, **fields)

    def change(self, user: Any, obj: Park, fields: dict[str, Any]) -> None:
        services.park_update(user=user, park=obj, **fields)


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
        fields = ("id", "park", *UNIT_FIELDS, "status")
        read_only_fields = ("id", "status")
        validators: list = []  # the service gives the friendly "code taken" message


class UnitViewSet(_PublicReadViewSet):
    """Vacant units are public; PSEB staff and a park's managers see and edit all of its
    (the service asks ``manage_units`` of the unit's park)."""

    serializer_class = UnitSerializer
    filterset_class = UnitApiFilter

    def get_queryset(self):
        units = with_unit_status(Unit.objects.all(), timezone.localdate())
        in_scope = Q(park__in=parks_managed_by(self.request.user))
        return units.filter(in_scope | Q(status=UnitStatus.VACANT)).order_by("park_id", "code")

    def add(self, user: Any, fields: dict[str, Any]) -> Unit:
        park = fields.pop("park")
        return services.unit_create(user=user, park=park, **fields)

    def change(self, user: Any, obj: Unit, fields: dict[str, Any]) -> None:
        if fields.pop("park", obj.park) != obj.park:
            raise serializers.ValidationError({"park": ["A unit cannot move to another park."]})
        services.unit_update(user=user, unit=obj, **fields)
