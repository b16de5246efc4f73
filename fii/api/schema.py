"""OpenAPI pieces shared by every endpoint: error bodies, id parameters and response sets."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """An error: a message in `detail`."""

    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Errors of a request: `detail`, or a list of messages under each field that is wrong."""

    detail = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


def _validation_error_schema() -> OpenApiResponse:
    return OpenApiResponse(
        ValidationErrorSerializer,
        description="Invalid input: a message in `detail`, or messages per field.",
        examples=[
            OpenApiExample("Per field", value={"period": ["Give the month as YYYY-MM."]}),
            OpenApiExample("Refused", value={"detail": "That month has not started yet."}),
        ],
    )


ERRORS: dict[int, OpenApiResponse] = {
    400: _validation_error_schema(),
    401: OpenApiResponse(ErrorSerializer, description="No valid credentials."),
    403: OpenApiResponse(ErrorSerializer, description="Your role does not give access to this."),
    404: OpenApiResponse(
        ErrorSerializer, description="No such organization, object or page, or not yours."
    ),
    413: OpenApiResponse(ErrorSerializer, description="The request body is too large."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; retry later."),
}

CONFLICT: dict[int, OpenApiResponse] = {
    409: OpenApiResponse(ErrorSerializer, description="It exists already."),
}


def responses(
    ok: Any, status: int = 200, *, bad_input: bool = False, body: bool = False
) -> dict[int, Any]:
    """Return an operation's responses: its success body and every error it may answer.

    `bad_input`: query parameters or a body may be invalid (400); `body`: a JSON body is read,
    which may also be too large (413).
    """
    skip = set() if body else {413}
    if not (bad_input or body):
        skip.add(400)
    return {status: ok, **{code: r for code, r in ERRORS.items() if code not in skip}}
