"""The family's own monthly journals: drafts, submission and corrections."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fii.api.base import OwnFamilyViewSet, validated
from fii.api.exceptions import Conflict, Refused, form_errors, refused_on
from fii.api.fields import MonthField
from fii.api.schema import CONFLICT, responses

from ..forms import JournalForm
from ..models import EntryStatus, Indicator, JournalEntry
from ..selectors import active_indicators
from ..services import JournalError, journal_save

MAX_ANSWERS = 200
MAX_ANSWER_TEXT = 200


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string", "maxLength": MAX_ANSWER_TEXT}],
        "nullable": True,
        "description": "A number (amounts, counts, hours, 1/0 for yes/no, 1-5 for scales), "
        "the text of a choice, or null for no answer.",
    }
)
class AnswerField(serializers.Field):
    """One indicator's answer: a number, a choice's text, or null."""

    default_error_messages = {
        "invalid": gettext_lazy("Give a number, a text or null."),
        "too_long": gettext_lazy("Keep the answer under 200 characters."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)

    def to_internal_value(self, data: Any) -> float | int | str:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        if isinstance(data, str) and len(data) > MAX_ANSWER_TEXT:
            self.fail("too_long")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class AnswersField(serializers.DictField):
    """Answers by indicator code."""

    child = AnswerField()
    default_error_messages = {"too_many": gettext_lazy("Too many answers at once.")}

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict) and len(data) > MAX_ANSWERS:
            self.fail("too_many")
        return super().to_internal_value(data)


class JournalOut(serializers.ModelSerializer):
    period = MonthField(help_text="The month reported on.")
    values = AnswersField(read_only=True, help_text="Every indicator's answer, by code.")
    needs_attention = serializers.DictField(
        source="draft",
        child=serializers.CharField(),
        read_only=True,
        help_text="Text typed on the journal page that is not a valid answer yet, by code.",
    )

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "period",
            "status",
            "values",
            "needs_attention",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields


class JournalCreateIn(serializers.Serializer):
    period = MonthField(help_text="The month reported on: this month, or last month until due.")
    values = AnswersField(required=False, help_text="Answers by indicator code.")


class JournalValuesIn(serializers.Serializer):
    values = AnswersField(required=False, help_text="Answers by indicator code.")


class JournalFilterIn(serializers.Serializer):
    period = MonthField(required=False, help_text="Only this month.")
    status = serializers.ChoiceField(EntryStatus.choices, required=False)


def _as_form_text(value: Any) -> str:
    """Return an answer as the journal page would receive it typed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _refuse_unknown(answers: dict[str, Any], indicators: list[Indicator]) -> None:
    unknown = sorted(set(answers) - {i.code for i in indicators})
    if unknown:
        message = _("This organization asks no such question.")
        raise serializers.ValidationError({"values": {code: [message] for code in unknown}})


def answers_through_form(
    *, organization: Any, entry: JournalEntry | None, answers: dict[str, Any], submit: bool
) -> dict[str, Any]:
    """Validate answers, over those the entry holds, with the journal page's form."""
    indicators = active_indicators(organization)
    _refuse_unknown(answers, indicators)
    held = entry.values() if entry is not None else {}
    data = {code: _as_form_text(value) for code, value in {**held, **answers}.items()}
    form = JournalForm(data, indicators=indicators, for_submit=submit)
    if not form.is_valid():
        raise serializers.ValidationError({"values": form_errors(form).detail})
    return form.values()


def _untouched_draft(entry: JournalEntry | None, answers: dict[str, Any]) -> dict[str, str]:
    """Return the text typed on the page for the answers this request leaves alone."""
    draft = entry.draft if entry is not None else {}
    return {code: text for code, text in (draft or {}).items() if code not in answers}


JOURNAL_EXAMPLE = OpenApiExample(
    "A draft",
    request_only=True,
    value={"period": "2024-07", "values": {"income_wages": 2400, "savings_balance": 350}},
)


@extend_schema(tags=["journals"])
class JournalViewSet(OwnFamilyViewSet[JournalEntry]):
    """The family's own monthly journals: drafts, submission and corrections."""

    queryset = JournalEntry.objects.all()
    serializer_class = JournalOut
    lookup_url_kwarg = "entry_id"

    def get_queryset(self) -> QuerySet[JournalEntry]:
        return super().get_queryset().order_by("-period")

    @extend_schema(
        parameters=[JournalFilterIn], responses=responses(JournalOut(many=True), bad_input=True)
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List the family's journals, newest month first."""
        filters = validated(JournalFilterIn, request.query_params)
        page = self.paginate_queryset(self.get_queryset().filter(**filters))
        return self.get_paginated_response(JournalOut(page, many=True).data)

    @extend_schema(responses=responses(JournalOut))
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show one journal."""
        return Response(JournalOut(self.get_object()).data)

    @extend_schema(
        request=JournalCreateIn,
        responses={**responses(JournalOut, 201, body=True), **CONFLICT},
        examples=[JOURNAL_EXAMPLE],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a month's journal as a draft."""
        data = validated(JournalCreateIn, request.data)
        if self.get_queryset().filter(period=data["period"]).exists():
            raise Conflict(_("There is a journal for that month already: change it instead."))
        entry = self._save(None, data["period"], data.get("values", {}), submit=False)
        return Response(JournalOut(entry).data, status=201)

    @extend_schema(request=JournalValuesIn, responses=responses(JournalOut, body=True))
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change some answers of a draft, or correct a submitted journal while allowed."""
        entry = self.get_object()
        answers = validated(JournalValuesIn, request.data).get("values", {})
        # As on the page: a change to a submitted journal is a correction of the whole journal.
        entry = self._save(entry, entry.period, answers, submit=entry.is_submitted)
        return Response(JournalOut(entry).data)

    @extend_schema(request=JournalValuesIn, responses=responses(JournalOut, body=True))
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Submit a draft, with any last answers; every income, savings and debt answer is due."""
        entry = self.get_object()
        if entry.is_submitted:
            raise Refused(_("This journal is submitted already; send corrections instead."))
        answers = validated(JournalValuesIn, request.data).get("values", {})
        entry = self._save(entry, entry.period, answers, submit=True)
        return Response(JournalOut(entry).data)

    def _save(
        self, entry: JournalEntry | None, period: dt.date, answers: dict[str, Any], *, submit: bool
    ) -> JournalEntry:
        values = answers_through_form(
            organization=self.organization, entry=entry, answers=answers, submit=submit
        )
        with refused_on(JournalError):
            result = journal_save(
                organization=self.organization,
                family=self.family,
                period=period,
                actor=self.request.user,
                values=values,
                invalid=_untouched_draft(entry, answers),
                submit=submit,
                indicators=active_indicators(self.organization),
            )
        return result.entry
