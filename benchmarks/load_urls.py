"""The load benchmark's URLconf: every URL of fii, plus a bare view to measure the server by."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    """Answer a few bytes: what the server and its middleware cost with no work of ours."""
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello, name="bench_hello"),
    path("", include("fii.urls")),
]
