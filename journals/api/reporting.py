"""Staff: which families have reported for a month."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from families.api import GroupRefOut
from fii.api.base import StaffAPIView, validated
from fii.api.fields import MonthField
from fii.api.schema import responses

from ..periods import due_date, reporting_period
from ..selectors import reporting_status


class FamilyReportOut(serializers.Serializer):
    id = serializers.IntegerField(source="family.pk")
    name = serializers.CharField(source="family.name")
    status = serializers.ChoiceField(["submitted", "draft", "missing"])


class GroupReportOut(serializers.Serializer):
    group = GroupRefOut(allow_null=True)
    submitted = serializers.IntegerField()
    families = FamilyReportOut(many=True)


class ReportingOut(serializers.Serializer):
    period = MonthField()
    due = serializers.DateField()
    total = serializers.IntegerField()
    submitted = serializers.IntegerField()
    groups = GroupReportOut(many=True)


class ReportingIn(serializers.Serializer):
    period = MonthField(required=False, help_text="The month; by default the one reported now.")


@extend_schema(tags=["staff"])
class ReportingView(StaffAPIView):
    """Which families have reported for a month, by group."""

    @extend_schema(parameters=[ReportingIn], responses=responses(ReportingOut, bad_input=True))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show each active family's journal status for a month, by group."""
        org = self.organization
        period = validated(ReportingIn, request.query_params).get("period") or reporting_period(
            org.today(), org.journal_due_day
        )
        groups = reporting_status(organization=org, period=period)
        report = {
            "period": period,
            "due": due_date(period, org.journal_due_day),
            "total": sum(len(g.families) for g in groups),
            "submitted": sum(g.submitted for g in groups),
            "groups": groups,
        }
        return Response(ReportingOut(report).data)
