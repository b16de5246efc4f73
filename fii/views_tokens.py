"""The account page for personal API tokens: list, create (shown once) and revoke."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .api.base import MAX_ID
from .api.tokens import api_token_create, api_token_revoke
from .models import ApiToken, User
from .security import may_mint_tokens, second_factor_age


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is this token for?"),
        max_length=100,
        help_text=gettext_lazy("For example: the spreadsheet of our group."),
    )


class RevokeForm(forms.Form):
    token = forms.IntegerField(min_value=1, max_value=MAX_ID)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the person's tokens, create one (shown once, never again) or revoke one."""
    if request.method == "GET":
        return _page(request, ApiTokenForm())
    if request.POST.get("action") == "revoke":
        return _revoke(request)
    return _create(request)


def _page(
    request: HttpRequest, form: ApiTokenForm, new_key: str = "", status: int = 200
) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=cast(User, request.user))
    context = {"form": form, "tokens": tokens, "new_key": new_key}
    return render(request, "fii/api_tokens.html", context, status=status)


def _create(request: HttpRequest) -> HttpResponse:
    if not may_mint_tokens(request):
        # Back here once the second factor is passed again; the name is asked again then.
        messages.info(request, _("To create a token, confirm it is you with your authenticator."))
        next_url = urlencode({"next": reverse("api_tokens")})
        return redirect(f"{reverse('mfa_reauthenticate')}?{next_url}")
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    _token, key = api_token_create(
        user=request.user,
        name=form.cleaned_data["name"],
        with_second_factor=second_factor_age(request) is not None,
    )
    # Rendered, not redirected: the key exists only in this response.
    return _page(request, ApiTokenForm(), new_key=key)


def _revoke(request: HttpRequest) -> HttpResponse:
    form = RevokeForm(request.POST)
    revoked = form.is_valid() and api_token_revoke(
        user=request.user, token_id=form.cleaned_data["token"]
    )
    if revoked:
        messages.success(request, _("The token is revoked: it no longer opens anything."))
    else:
        messages.error(request, _("There is no such token to revoke."))
    return redirect("api_tokens")
