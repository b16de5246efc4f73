"""Everything held about the family, as the page's download gives it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fii.api.base import OrgScoped
from fii.api.schema import responses
from fii.audit import audit_record
from fii.models import Role

from ..selectors import family_data_export


class FamilyDataOut(serializers.Serializer):
    """Every record of the family, section by section; the same as the JSON download."""

    family = serializers.DictField()
    members = serializers.ListField(child=serializers.DictField())
    consents = serializers.ListField(child=serializers.DictField())
    journals = serializers.ListField(child=serializers.DictField())
    journal_corrections = serializers.ListField(child=serializers.DictField())
    goals = serializers.ListField(child=serializers.DictField())
    goal_updates = serializers.ListField(child=serializers.DictField())
    help = serializers.ListField(child=serializers.DictField())
    stipends = serializers.ListField(child=serializers.DictField())


@extend_schema(tags=["family data"])
class FamilyDataView(OrgScoped):
    """The family's own data, to keep or to take elsewhere; every download is audited."""

    allowed_roles = frozenset({Role.FAMILY})

    @extend_schema(responses=responses(FamilyDataOut))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show everything held about the family."""
        data = family_data_export(organization=self.organization, family=self.family)
        audit_record(
            action="family.data_downloaded",
            actor=request.user,
            organization=self.organization,
            obj=self.family,
            detail={"format": "api"},
            request=request._request,
        )
        return Response(FamilyDataOut(data).data)
