"""Response headers and session lifetimes that protect the people in this database."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
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
SESSION_PRIVILEGED = "_fii_privileged"


def is_privileged(user: Any) -> bool:
    """Return whether the user can see more than one family: staff, admins, funders, operators."""
    if user.is_staff or user.is_superuser:
        return True
    if Membership.objects.filter(user=user, is_active=True, role__in=STAFF_ROLES).exists():
        return True
    return Funder.objects.filter(members=user).exists()


@receiver(user_logged_in, dispatch_uid="fii_session_clock")
def start_session_clock(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now
    request.session[SESSION_PRIVILEGED] = is_privileged(user)


class SessionLifetimeMiddleware:
    """End sessions that are too old: privileged roles after 30 idle minutes, all after 12 hours."""

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
        if SESSION_PRIVILEGED not in session:
            session[SESSION_PRIVILEGED] = is_privileged(request.user)
        privileged = session[SESSION_PRIVILEGED]
        if now - started > settings.SESSION_ABSOLUTE_SECONDS:
            return True
        if privileged and now - seen > settings.SESSION_IDLE_SECONDS_PRIVILEGED:
            return True
        # Write the clock at most once a minute, not on every request.
        if now - seen >= 60:
            session[SESSION_SEEN] = now
        return False


SESSION_MFA = "_fii_mfa"
# What a privileged person without a second factor may still open: the account pages
# (which include setting up the second factor and logging out), the language switch and assets.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/language/", "/static/", "/healthz")


def has_second_factor(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMfaMiddleware:
    """Staff, admins, funders and operators must set up a second factor before anything else."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._blocked(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Set up two-factor authentication first.")}, status=403
                )
            messages.info(request, _("Please set up two-factor authentication to continue."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _blocked(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if not settings.REQUIRE_MFA or user is None or not user.is_authenticated:
            return False
        if request.path.startswith(MFA_EXEMPT_PREFIXES) or request.session.get(SESSION_MFA):
            return False
        if SESSION_PRIVILEGED not in request.session:
            request.session[SESSION_PRIVILEGED] = is_privileged(user)
        if not request.session[SESSION_PRIVILEGED]:
            return False
        if has_second_factor(user):
            request.session[SESSION_MFA] = True
            return False
        return True


def _forget_second_factor(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_MFA, None)


def connect_mfa_signals() -> None:
    from allauth.mfa.signals import authenticator_removed

    authenticator_removed.connect(_forget_second_factor, dispatch_uid="fii_forget_mfa")
