"""The family's goals in its own words, and their progress."""

from __future__ import annotations

from typing import Any

from django.forms.models import model_to_dict
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fii.api.base import OwnFamilyViewSet, validated
from fii.api.exceptions import form_errors
from fii.api.schema import responses

from ..forms import GoalForm, GoalStatusForm, GoalUpdateForm
from ..models import Goal, GoalStatus, GoalUpdate
from ..services import goal_add_update, goal_set_status


class GoalUpdateOut(serializers.ModelSerializer):
    class Meta:
        model = GoalUpdate
        fields = ["id", "period", "note", "amount_so_far", "percent_done", "created_at"]
        read_only_fields = fields


class GoalOut(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", *GoalForm.Meta.fields, "status", "created_at", "achieved_at"]
        read_only_fields = fields


class GoalDetailOut(GoalOut):
    updates = GoalUpdateOut(many=True, read_only=True)

    class Meta(GoalOut.Meta):
        fields = [*GoalOut.Meta.fields, "updates"]
        read_only_fields = fields


class GoalIn(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = GoalForm.Meta.fields


class GoalStatusIn(serializers.Serializer):
    status = serializers.ChoiceField(GoalStatus.choices)


class GoalProgressIn(serializers.ModelSerializer):
    class Meta:
        model = GoalUpdate
        fields = ["note", "amount_so_far", "percent_done"]


class GoalFilterIn(serializers.Serializer):
    status = serializers.ChoiceField(GoalStatus.choices, required=False)


def _goal_form(data: dict[str, Any], instance: Goal | None) -> GoalForm:
    """Return the goal page's form, bound to the request's fields over the goal's own."""
    held = model_to_dict(instance or Goal(), fields=GoalForm.Meta.fields)
    form = GoalForm({**held, **data}, instance=instance)
    if not form.is_valid():
        raise form_errors(form)
    return form


@extend_schema(tags=["goals"])
class GoalViewSet(OwnFamilyViewSet[Goal]):
    """The family's goals in its own words, and their progress."""

    queryset = Goal.objects.all()
    serializer_class = GoalOut
    lookup_url_kwarg = "goal_id"

    @extend_schema(
        parameters=[GoalFilterIn], responses=responses(GoalOut(many=True), bad_input=True)
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the family's goals, open ones first."""
        filters = validated(GoalFilterIn, request.query_params)
        page = self.paginate_queryset(self.get_queryset().filter(**filters))
        return self.get_paginated_response(GoalOut(page, many=True).data)

    @extend_schema(responses=responses(GoalDetailOut))
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show one goal with its steps of progress."""
        return Response(GoalDetailOut(self.get_object()).data)

    @extend_schema(
        request=GoalIn,
        responses=responses(GoalOut, 201, body=True),
        examples=[
            OpenApiExample(
                "A goal",
                request_only=True,
                value={"title": "Open a food stall", "domain": "work", "priority": 1},
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Set a new goal."""
        form = _goal_form(validated(GoalIn, request.data), None)
        goal = form.save(commit=False)
        goal.organization = self.organization
        goal.family = self.family
        goal.save()
        return Response(GoalOut(goal).data, status=201)

    @extend_schema(request=GoalIn, responses=responses(GoalOut, body=True))
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a goal's words, target or priority."""
        goal = self.get_object()
        goal = _goal_form(validated(GoalIn, request.data, partial=True), goal).save()
        return Response(GoalOut(goal).data)

    @extend_schema(request=GoalStatusIn, responses=responses(GoalDetailOut, body=True))
    @action(detail=True, methods=["post"])
    def status(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Mark a goal achieved, paused, dropped or active again."""
        goal = self.get_object()
        form = GoalStatusForm(validated(GoalStatusIn, request.data))
        if not form.is_valid():
            raise form_errors(form)
        goal_set_status(goal=goal, status=form.cleaned_data["status"])
        return Response(GoalDetailOut(goal).data)

    @extend_schema(
        request=GoalProgressIn,
        responses=responses(GoalUpdateOut, 201, body=True),
        examples=[
            OpenApiExample(
                "Progress",
                request_only=True,
                value={"note": "Bought the cart", "percent_done": 40},
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Tell a step of progress; 100 percent marks the goal achieved."""
        goal = self.get_object()
        form = GoalUpdateForm(validated(GoalProgressIn, request.data))
        if not form.is_valid():
            raise form_errors(form)
        update = goal_add_update(goal=goal, **form.cleaned_data)
        return Response(GoalUpdateOut(update).data, status=201)
