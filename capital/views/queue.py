"""The readiness queue: the flags the nightly run raised, filtered, sorted and paged."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from fii.access import OrgRequest, staff_view

from ..forms import QueueFilterForm
from ..selectors import queue_filter_options, queue_rows

PER_PAGE = 25


def queue_filter_form(request: OrgRequest) -> QueueFilterForm:
    """Return the queue's filters bound to the query string (also used by the exports)."""
    return QueueFilterForm(request.GET, **queue_filter_options(organization=request.organization))


@staff_view
def flag_queue(request: OrgRequest) -> HttpResponse:
    """List the flags the filters ask for, 25 a page; a bad filter is shown and left out."""
    form = queue_filter_form(request)
    valid = form.is_valid()
    flags = queue_rows(organization=request.organization, filters=form.filters())
    page = Paginator(flags, PER_PAGE).get_page(request.GET.get("page"))
    filtered = any(value for key, value in request.GET.items() if key != "page")
    context: dict[str, Any] = {"form": form, "page": page, "filtered": filtered}
    return render(request, "capital/queue.html", context, status=200 if valid else 400)
