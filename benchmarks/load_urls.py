"""The load benchmark's URLconf: every URL of fii, plus two reference pages to measure by.

- `bench/hello/`: a few bytes, no query: what the server and its middleware cost alone.
- `bench/minimal/`: one template and two indexed queries, anonymous: the "minimal page" that
  measured an eighth of the bare view on our machine class (with gunicorn and a C client).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path

from families.models import Family
from fii.models import Organization

MINIMAL_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ org.name }}'
    "</title></head><body><h1>{{ org.name }}</h1><p>{{ families }} families</p></body></html>"
)


def hello(request: HttpRequest) -> HttpResponse:
    """Answer a few bytes: what the server and its middleware cost with no work of ours."""
    return HttpResponse(b"hello", content_type="text/plain")


def minimal(request: HttpRequest) -> HttpResponse:
    """Render one template with two indexed queries: an organization by slug, its families."""
    org = get_object_or_404(Organization, slug=request.GET.get("o", "riverside"))
    families = Family.objects.for_org(org).count()
    return HttpResponse(MINIMAL_TEMPLATE.render({"org": org, "families": families}, request))


urlpatterns = [
    path("bench/hello/", hello, name="bench_hello"),
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include("fii.urls")),
]
