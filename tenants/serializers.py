"""API shapes of companies, applications and leases (api.md). Output only: inputs are the
API views' own small serializers, and writes go through tenants.services."""

from django.utils import timezone
from rest_framework import serializers

from .inputs import APPLICATION_FIELDS, COMPANY_FIELDS
from .models import Application, ApplicationDocument, ApplicationTransition, Company, Lease


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ("id", *COMPANY_FIELDS)
        read_only_fields = ("id",)
        extra_kwargs = {"website": {"required": False}}


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username")

    class Meta:
        model = ApplicationTransition
        fields = ("action", "from_status", "to_status", "actor", "comment", "created_at")


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationDocument
        fields = ("id", "original_name", "size_bytes", "uploaded_at")


class ApplicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Application
        read_only_fields = ("id", "status", "lease", "submitted_at", "decided_at", "created_at")
        # Its id, the company's request (the editable fields), then where the workflow is.
        fields = ("id", "company", *APPLICATION_FIELDS, *read_only_fields[1:])


class ApplicationDetailSerializer(ApplicationSerializer):
    transitions = TransitionSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = (*ApplicationSerializer.Meta.fields, "transitions", "documents")


class LeaseUnitSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit_id")
    code = serializers.CharField(source="unit.code")
    monthly_rent = serializers.DecimalField(max_digits=12, decimal_places=2)
    internet_fee = serializers.DecimalField(max_digits=12, decimal_places=2)


class LeaseSerializer(serializers.ModelSerializer):
    units = serializers.SerializerMethodField()
    unit_prices = LeaseUnitSerializer(source="lease_units", many=True, read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Lease
        fields = (
            "id",
            "company",
            "park",
            "units",
            "unit_prices",
            "start_date",
            "end_date",
            "status",
            "terminated_at",
            "termination_reason",
        )

    def get_units(self, lease: Lease) -> list[int]:
        return [lu.unit_id for lu in lease.lease_units.all()]

    def get_status(self, lease: Lease) -> str:
        return lease.status_on(timezone.localdate())
