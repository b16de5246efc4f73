"""Staff endpoints over the organization's families and groups."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fii.api.base import StaffViewSet, validated
from fii.api.fields import IdField
from fii.api.schema import responses
from fii.audit import audit_read

from .models import Family, FamilyMember, Group


class GroupOut(serializers.ModelSerializer):
    family_count = serializers.IntegerField(read_only=True, help_text="Active families.")

    class Meta:
        model = Group
        fields = ["id", "name", "started_on", "family_count"]
        read_only_fields = fields


class GroupRefOut(serializers.ModelSerializer):
    class Meta:
        model = Group
        fields = ["id", "name"]
        read_only_fields = fields


class FamilyOut(serializers.ModelSerializer):
    group = GroupRefOut(read_only=True, allow_null=True)

    class Meta:
        model = Family
        fields = [
            "id",
            "name",
            "group",
            "joined_on",
            "household_size",
            "baseline_monthly_income",
            "baseline_savings",
            "baseline_debt",
            "reminders_enabled",
        ]
        read_only_fields = fields


class MemberOut(serializers.ModelSerializer):
    class Meta:
        model = FamilyMember
        fields = ["id", "first_name", "is_adult", "birth_year", "school"]
        read_only_fields = fields


class FamilyDetailOut(FamilyOut):
    members = MemberOut(many=True, read_only=True)

    class Meta(FamilyOut.Meta):
        fields = [*FamilyOut.Meta.fields, "members"]
        read_only_fields = fields


class FamilyFilterIn(serializers.Serializer):
    group = IdField(required=False, help_text="Only the families of this group.")


@extend_schema(tags=["staff"])
class FamilyViewSet(StaffViewSet[Family]):
    """The organization's active families."""

    queryset = Family.objects.active().select_related("group").order_by("name")
    serializer_class = FamilyOut
    lookup_url_kwarg = "family_id"

    @extend_schema(
        parameters=[FamilyFilterIn], responses=responses(FamilyOut(many=True), bad_input=True)
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the active families, by name."""
        group = validated(FamilyFilterIn, request.query_params).get("group")
        queryset = self.get_queryset()
        if group is not None:
            queryset = queryset.filter(group_id=group)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(FamilyOut(page, many=True).data)

    @extend_schema(responses=responses(FamilyDetailOut))
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show one family with its members; staff views of a family are audited."""
        family = self.get_object()
        audit_read(request, family, page="family", organization=self.organization, via="api")
        return Response(FamilyDetailOut(family).data)

    def get_queryset(self) -> QuerySet[Family]:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            return queryset.prefetch_related("members")
        return queryset


@extend_schema(tags=["staff"])
class GroupViewSet(StaffViewSet[Group]):
    """The organization's active groups, with how many active families each has."""

    queryset = (
        Group.objects.active()
        .annotate(family_count=Count("families", filter=Q(families__archived_at__isnull=True)))
        .order_by("name")
    )
    serializer_class = GroupOut
    lookup_url_kwarg = "group_id"

    @extend_schema(responses=responses(GroupOut(many=True)))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the active groups, by name."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(GroupOut(page, many=True).data)

    @extend_schema(responses=responses(GroupOut))
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show one group."""
        return Response(GroupOut(self.get_object()).data)
