"""Every API error as JSON: `{"detail": "..."}`, or per field `{"field": ["..."]}`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Refused(APIException):
    """A request the rules refuse, with a message the person should read (400)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = gettext_lazy("This cannot be done.")
    default_code = "refused"


class BodyTooLarge(APIException):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE, which Django refuses to read (413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


class Conflict(APIException):
    """A request that clashes with what exists already (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This exists already.")
    default_code = "conflict"


@contextmanager
def refused_on(*errors: type[Exception]) -> Iterator[None]:
    """Turn a service's user-facing exception into a 400 with its message."""
    try:
        yield
    except errors as exc:
        raise Refused(str(exc)) from exc


def form_errors(form: forms.BaseForm) -> ValidationError:
    """Return a form's errors as an API validation error, field by field."""
    errors: dict[str, list[str]] = {}
    for name, items in form.errors.get_json_data().items():
        key = "non_field_errors" if name == NON_FIELD_ERRORS else name
        errors[key] = [str(item["message"]) for item in items]
    return ValidationError(errors)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer DRF's errors, Django's validation errors and oversized bodies as JSON objects."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(_django_messages(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(str(item) for item in response.data)}
    return response


def _django_messages(exc: DjangoValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    return {"detail": " ".join(str(m) for m in exc.messages)}


@csrf_exempt  # It changes nothing; a POST to a wrong path deserves the same JSON 404.
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Answer a path under /api/ that names no endpoint, in JSON like every other API error."""
    if not request.path.endswith("/"):
        return JsonResponse({"detail": _("Not found. API paths end with a slash.")}, status=404)
    return JsonResponse({"detail": _("Not found.")}, status=404)
