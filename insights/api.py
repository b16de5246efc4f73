"""The funder area over REST: the same anonymized per-organization summary as the funder home."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fii.api.base import FunderAPIView
from fii.api.schema import responses

from .funder import organization_summaries


class OrganizationSummaryOut(serializers.Serializer):
    """One funded organization's figures; null where fewer families than its minimum cell."""

    name = serializers.CharField()
    min_cell = serializers.IntegerField(help_text="Figures built on fewer families are hidden.")
    families = serializers.IntegerField(
        allow_null=True, help_text="Active families, rounded to 5; null when too few."
    )
    reporting_share = serializers.FloatField(
        allow_null=True,
        help_text="Share of families who reported last month; null when either side is too few.",
    )


class FunderSummaryOut(serializers.Serializer):
    organizations = OrganizationSummaryOut(many=True)


@extend_schema(tags=["funders"])
class FunderSummaryView(FunderAPIView):
    """Aggregates over the organizations a funder funds; never a row about one family."""

    @extend_schema(responses=responses(FunderSummaryOut))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show each funded organization's anonymized summary."""
        organizations = list(self.funder.organizations.order_by("name"))
        summaries = organization_summaries(organizations=organizations)
        return Response(FunderSummaryOut({"organizations": summaries}).data)
