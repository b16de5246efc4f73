"""Response headers and session lifetimes that protect the people in this database."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import STAFF_ROLES, Funder, Membership

# No inline script anywhere: every script is a file under /static/. Plotly writes its own
# style elements, hence inline styles are allowed (they cannot run code).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

Handler = Callable[[HttpRequest], HttpResponse]


class SecurityHeadersMiddleware:
    """Send the content security policy, and keep authenticated pages out of every cache."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


SESSION_STARTED = "_fii_started"
SESSION_SEEN = "_fii_seen"
# When this session last passed the second factor, and for which account: {"user": pk, "at": t}.
SESSION_SECOND_FACTOR = "_fii_second_factor"
# A privileged account mints API tokens only this soon after passing the second factor.
TOKEN_MINT_WINDOW_SECONDS = 15 * 60


class Standing:
    """What the account can reach now: more than one family, and whether it owns a second factor.

    Read from the account's current memberships, funder links and authenticators (never a copy
    kept from its login); the second factor is read only for an account that needs one.
    """

    def __init__(self, user: Any) -> None:
        """`user` is one just read from the database: a request's or a token's."""
        self.user = user

    @cached_property
    def privileged(self) -> bool:
        user = self.user
        if user.is_staff or user.is_superuser:
            return True
        staff = Membership.objects.filter(user_id=user.pk, is_active=True, role__in=STAFF_ROLES)
        return staff.exists() or Funder.objects.filter(members=user.pk).exists()

    @cached_property
    def has_second_factor(self) -> bool:
        from allauth.mfa.models import Authenticator

        totp = Authenticator.Type.TOTP
        return Authenticator.objects.filter(user_id=self.user.pk, type=totp).exists()


def request_standing(request: HttpRequest) -> Standing:
    """Return the signed-in person's standing, read once per request."""
    standing = getattr(request, "fii_standing", None)
    if standing is None:
        standing = Standing(request.user)
        request.fii_standing = standing  # type: ignore[attr-defined]
    return standing


def second_factor_age(request: HttpRequest) -> float | None:
    """Return how long ago (seconds) this session passed the second factor, or None if never."""
    passed = request.session.get(SESSION_SECOND_FACTOR)
    if not isinstance(passed, dict) or str(passed.get("user")) != str(request.user.pk):
        return None
    return time.time() - float(passed.get("at", 0))


def may_mint_tokens(request: HttpRequest) -> bool:
    """Return whether this session may create an API token now.

    A privileged account needs a second factor passed in this session in the last 15 minutes:
    a stolen session that never passed it, or an old one, mints nothing.
    """
    if not settings.REQUIRE_MFA or not request_standing(request).privileged:
        return True
    age = second_factor_age(request)
    return age is not None and age <= TOKEN_MINT_WINDOW_SECONDS


def token_may_act(*, user: Any, minted_with_second_factor: bool) -> bool:
    """Return whether a token of this account opens anything now.

    A privileged account's tokens work only while it has a second factor, and only those minted
    in a session that passed it (a token minted as a family stops when the account gains a role).
    """
    if not settings.REQUIRE_MFA:
        return True
    standing = Standing(user)
    if not standing.privileged:
        return True
    return minted_with_second_factor and standing.has_second_factor


@receiver(user_logged_in, dispatch_uid="fii_session_clock")
def start_session_clock(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now


class SessionLifetimeMiddleware:
    """End sessions that are too old: privileged roles after 30 idle minutes, all after 12 hours.

    The role is the account's role now, not at login: a family session whose account becomes
    staff is held to the staff limits from its next request.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._expired(request):
            logout(request)
            messages.info(request, _("For your safety you were logged out. Please log in again."))
            if request.path.startswith("/api/"):
                return self.get_response(request)
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> bool:
        session = request.session
        now = int(time.time())
        started = session.setdefault(SESSION_STARTED, now)
        seen = session.get(SESSION_SEEN, now)
        if now - started > settings.SESSION_ABSOLUTE_SECONDS:
            return True
        idle_limit = settings.SESSION_IDLE_SECONDS_PRIVILEGED
        if now - seen > idle_limit and request_standing(request).privileged:
            return True
        # Write the clock at most once a minute, not on every request.
        if now - seen >= 60:
            session[SESSION_SEEN] = now
        return False


# What a privileged person without a second factor may still open: the account pages
# (which include setting up the second factor and logging out), the language switch and assets.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/language/", "/static/", "/healthz")


class RequireMfaMiddleware:
    """Staff, admins, funders and operators pass a second factor in this session first.

    Decided on every request from the account's current roles: a session whose account gains
    a role is sent to set up the second factor (none yet) or to verify it (one owned, not passed
    here). Owning an authenticator is not passing it.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        blocked_by = self._blocked(request)
        if blocked_by is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Pass two-factor authentication first.")}, status=403)
        if blocked_by == "mfa_reauthenticate":
            messages.info(request, _("Please confirm it is you with your authenticator app."))
            return redirect(f"{reverse(blocked_by)}?{urlencode({'next': request.get_full_path()})}")
        messages.info(request, _("Please set up two-factor authentication to continue."))
        return redirect(blocked_by)

    def _blocked(self, request: HttpRequest) -> str | None:
        """Return the page this request must go to first, or None if it may go on."""
        user = getattr(request, "user", None)
        if not settings.REQUIRE_MFA or user is None or not user.is_authenticated:
            return None
        if request.path.startswith(MFA_EXEMPT_PREFIXES):
            return None
        standing = request_standing(request)
        if not standing.privileged:
            return None
        if not standing.has_second_factor:
            return "mfa_activate_totp"
        if second_factor_age(request) is None:
            return "mfa_reauthenticate"
        return None


def _second_factor_passed(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    user = kwargs.get("user")
    if request is not None and hasattr(request, "session") and user is not None:
        request.session[SESSION_SECOND_FACTOR] = {"user": str(user.pk), "at": time.time()}


def _authenticator_set_up(sender: Any, authenticator: Any = None, **kwargs: Any) -> None:
    # Setting up an authenticator app proves the session holds it (a code from it was typed);
    # new recovery codes prove nothing.
    if authenticator is not None and authenticator.type == authenticator.Type.TOTP:
        _second_factor_passed(sender, **kwargs)


def _forget_second_factor(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_SECOND_FACTOR, None)


def connect_mfa_signals() -> None:
    """Record in the session when it passes the second factor: at login, again, or set up."""
    from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_used

    authenticator_used.connect(_second_factor_passed, dispatch_uid="fii_mfa_used")
    authenticator_added.connect(_authenticator_set_up, dispatch_uid="fii_mfa_added")
    authenticator_removed.connect(_forget_second_factor, dispatch_uid="fii_forget_mfa")
