"""Serializer fields shared by the apps' endpoints."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .base import MAX_ID

MONTH_SHAPE = r"^\d{4}-\d{2}$"
# Years past 2999 would overflow dates when a due date is computed; none is meaningful here.
MONTH_PATTERN = r"^(19\d{2}|2\d{3})-(0[1-9]|1[0-2])$"


@extend_schema_field(
    {"type": "string", "pattern": MONTH_PATTERN, "example": "2024-06", "description": "YYYY-MM"}
)
class MonthField(serializers.Field):
    """A month as "YYYY-MM", held as the date of its first day."""

    default_error_messages = {
        "invalid": _("Give the month as YYYY-MM, for example 2024-06."),
        "unknown": _("There is no such month: give one from 1900-01 to 2999-12."),
    }

    def to_internal_value(self, data: Any) -> dt.date:
        if not isinstance(data, str) or not re.fullmatch(MONTH_SHAPE, data, re.ASCII):
            self.fail("invalid")
        if not re.fullmatch(MONTH_PATTERN, data, re.ASCII):
            self.fail("unknown")
        return dt.date(int(data[:4]), int(data[5:]), 1)

    def to_representation(self, value: dt.date) -> str:
        return f"{value.year:04d}-{value.month:02d}"


class IdField(serializers.IntegerField):
    """The id of an object: a positive 64-bit integer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)
