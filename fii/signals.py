"""Authentication events in the audit log: logins, failures, logouts, passwords, e-mail, MFA.

These events carry no organization. An account is a person's own: it may belong to several
organizations, to a funder, or to an operator, and putting its sign-ins into one
organization's log would show that organization's admins what the person does elsewhere.
They are the platform operator's to read (AuditEvent rows whose organization is null).

Nothing typed is kept. A failed login keeps a keyed hash of the typed login
(fii.audit.login_key), so that repeated attempts can be counted, and, when an account has
that address, that account as the actor; never the address or the password itself.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .audit import audit_record, client_ip, first_refusal_this_minute, login_key


def _typed_login(credentials: dict[str, Any]) -> str:
    return str(
        credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    )


def _account_for(login: str) -> Any:
    if not login:
        return None
    return get_user_model().objects.filter(email__iexact=login.strip()).first()


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action="auth.login", actor=user, request=request)


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action="auth.logout", actor=user, request=request)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    login = _typed_login(credentials)
    audit_record(
        action="auth.login_failed",
        actor=_account_for(login),
        detail={"login_key": login_key(login)},
        request=request,
    )


def login_rate_limited(request: HttpRequest | None, credentials: dict[str, Any]) -> None:
    """Record a login refused before the password was checked: too many failures for it."""
    login = _typed_login(credentials)
    key = login_key(login)
    if not first_refusal_this_minute(f"login_failed:{key}"):
        return
    audit_record(
        action="auth.rate_limited",
        actor=_account_for(login),
        detail={"limit": "login_failed", "login_key": key},
        request=request,
    )


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Answer a request over one of allauth's rate limits with 429, and audit it.

    allauth calls this as the URLconf's `handler429`. The event names the path only; it is
    written for the first refusal of an address and path each minute.
    """
    if first_refusal_this_minute(f"http_429:{client_ip(request)}:{request.path}"):
        audit_record(
            action="auth.rate_limited",
            actor=getattr(request, "user", None),
            detail={"limit": "http_429", "method": request.method, "path": request.path},
            request=request,
        )
    return render(request, "429.html", status=HTTPStatus.TOO_MANY_REQUESTS)


def _account_event(action: str) -> Any:
    def receiver(
        sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any
    ) -> None:
        audit_record(action=action, actor=user, request=request)

    return receiver


def _email_event(action: str) -> Any:
    def receiver(
        sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any
    ) -> None:
        # Which address records changed, by id: the addresses themselves stay out of the log.
        ids = {
            key: address.pk
            for key in ("email_address", "from_email_address", "to_email_address")
            if (address := kwargs.get(key)) is not None
        }
        audit_record(action=action, actor=user, detail=ids, request=request)

    return receiver


def _mfa_event(action: str) -> Any:
    def receiver(
        sender: Any,
        request: HttpRequest | None = None,
        user: Any = None,
        authenticator: Any = None,
        **kwargs: Any,
    ) -> None:
        detail: dict[str, Any] = {"type": getattr(authenticator, "type", "")}
        if "reauthentication" in kwargs:
            detail["reauthentication"] = bool(kwargs["reauthentication"])
        audit_record(action=action, actor=user, detail=detail, request=request)

    return receiver


def connect() -> None:
    """Connect the receivers once (called from FiiConfig.ready)."""
    from allauth.account import signals as account
    from allauth.mfa import signals as mfa

    user_logged_in.connect(on_logged_in, dispatch_uid="fii_audit_login")
    user_logged_out.connect(on_logged_out, dispatch_uid="fii_audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="fii_audit_login_failed")
    wiring = [
        (account.password_changed, _account_event, "auth.password_changed"),
        (account.password_set, _account_event, "auth.password_set"),
        (account.password_reset, _account_event, "auth.password_reset"),
        (account.email_changed, _email_event, "auth.email_changed"),
        (account.email_added, _email_event, "auth.email_added"),
        (account.email_removed, _email_event, "auth.email_removed"),
        (mfa.authenticator_added, _mfa_event, "mfa.authenticator_added"),
        (mfa.authenticator_removed, _mfa_event, "mfa.authenticator_removed"),
        (mfa.authenticator_reset, _mfa_event, "mfa.authenticator_reset"),
        (mfa.authentication_failed, _mfa_event, "auth.mfa_failed"),
    ]
    for signal, make, action in wiring:
        # Not weak: the receivers are closures that nothing else holds.
        signal.connect(make(action), weak=False, dispatch_uid=f"fii_audit_{action}")
