"""Help between families: recorded by one, confirmed by the other."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fii.api.base import OwnFamilyViewSet, validated
from fii.api.exceptions import form_errors, refused_on
from fii.api.fields import IdField, MonthField
from fii.api.schema import responses

from ..forms import OUTSIDE, HelpForm
from ..models import HelpExchange, HelpExchangeQuerySet, HelpKind
from ..periods import month_start
from ..selectors import family_neighbours
from ..services import HelpError, help_confirm, help_record

# The shared read of a family's group; it belongs in journals/selectors.py.


class FamilyRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class HelpOut(serializers.ModelSerializer):
    """A help exchange as the family sees it: what it gave or received, and with whom."""

    direction = serializers.SerializerMethodField()
    other_family = serializers.SerializerMethodField()
    recorded_by_us = serializers.SerializerMethodField()
    can_confirm = serializers.SerializerMethodField()
    period = MonthField()

    class Meta:
        model = HelpExchange
        fields = [
            "id",
            "period",
            "direction",
            "other_family",
            "kind",
            "hours",
            "amount",
            "note",
            "recorded_by_us",
            "confirmed_at",
            "can_confirm",
        ]
        read_only_fields = fields

    @property
    def _family_id(self) -> int:
        return int(self.context["family"].pk)

    @extend_schema_field(serializers.ChoiceField(["gave", "received"]))
    def get_direction(self, row: HelpExchange) -> str:
        return "gave" if row.giver_id == self._family_id else "received"

    @extend_schema_field(FamilyRefOut(allow_null=True))
    def get_other_family(self, row: HelpExchange) -> dict[str, Any] | None:
        other = row.receiver if row.giver_id == self._family_id else row.giver
        return None if other is None else {"id": other.pk, "name": other.name}

    def get_recorded_by_us(self, row: HelpExchange) -> bool:
        return row.recorded_by_id == self._family_id

    def get_can_confirm(self, row: HelpExchange) -> bool:
        return row.confirmed_at is None and row.recorded_by_id != self._family_id


class HelpIn(serializers.Serializer):
    direction = serializers.ChoiceField(["gave", "received"])
    other = IdField(
        allow_null=True, help_text="A family of your group, or null for someone outside it."
    )
    kind = serializers.ChoiceField(HelpKind.choices)
    hours = serializers.FloatField(required=False, allow_null=True)
    amount = serializers.FloatField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


class HelpFilterIn(serializers.Serializer):
    period = MonthField(required=False, help_text="Only this month.")


@extend_schema(tags=["help"])
class HelpViewSet(OwnFamilyViewSet[HelpExchange]):
    """Help the family gave or received: recorded by one family, confirmed by the other."""

    queryset = HelpExchange.objects.select_related("giver", "receiver").order_by(
        "-period", "-created_at"
    )
    serializer_class = HelpOut
    lookup_url_kwarg = "help_id"

    def scope_to_member(self, queryset: QuerySet[HelpExchange]) -> QuerySet[HelpExchange]:
        assert isinstance(queryset, HelpExchangeQuerySet)
        return queryset.involving([self.family])

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "family": self.family}

    @extend_schema(
        parameters=[HelpFilterIn], responses=responses(HelpOut(many=True), bad_input=True)
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the help the family gave and received, newest first."""
        filters = validated(HelpFilterIn, request.query_params)
        page = self.paginate_queryset(self.get_queryset().filter(**filters))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=responses(HelpOut))
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show one help exchange."""
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=HelpIn,
        responses=responses(HelpOut, 201, body=True),
        examples=[
            OpenApiExample(
                "Rides",
                request_only=True,
                value={"direction": "gave", "other": None, "kind": "transport", "hours": 3},
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record help given or received this month."""
        data = validated(HelpIn, request.data)
        other = OUTSIDE if data["other"] is None else str(data["other"])
        form = HelpForm(
            {**data, "other": other},
            neighbours=family_neighbours(organization=self.organization, family=self.family),
        )
        if not form.is_valid():
            raise form_errors(form)
        with refused_on(HelpError):
            exchange = help_record(
                family=self.family,
                other=form.other_family(),
                gave=form.cleaned_data["direction"] == "gave",
                kind=form.cleaned_data["kind"],
                hours=form.cleaned_data["hours"],
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
                period=month_start(self.organization.today()),
            )
        return Response(self.get_serializer(exchange).data, status=201)

    @extend_schema(request=None, responses=responses(HelpOut, bad_input=True))
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Confirm help that the other family recorded."""
        exchange = self.get_object()
        with refused_on(HelpError):
            help_confirm(
                organization=self.organization, family=self.family, exchange_id=exchange.pk
            )
        exchange.refresh_from_db()
        return Response(self.get_serializer(exchange).data)
