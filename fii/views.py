from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .selectors import places_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person where their role belongs; several places lead to the chooser."""
    places = places_for(request.user)
    if len(places) == 1:
        return redirect(places[0].url)
    return redirect("choose")


@login_required
def choose(request: HttpRequest) -> HttpResponse:
    return render(request, "fii/choose.html", {"places": places_for(request.user)})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language, remember it on the account, and go back where the person was."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest("Unknown language.")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    if request.user.is_authenticated:
        request.user.language = language  # type: ignore[union-attr]
        request.user.save(update_fields=["language"])  # type: ignore[union-attr]
    translation.activate(language)
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer whether the database answers; for load balancers and operators."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
