"""Bearer tokens: `Authorization: Bearer <token>`, looked up by the SHA-256 of the token."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request

from fii.audit import audit_record, client_ip
from fii.models import ApiToken
from fii.security import token_may_act

KEYWORD = b"bearer"
# Writing last_used_at on every request would turn each read into a write.
TOUCH_EVERY = dt.timedelta(minutes=1)
# Wrong tokens from one address are counted in the cache (shared through Redis in production)
# for this long; past settings.API_TOKEN_FAILURES of them, the address gets 429 until it ends.
FAILURE_WINDOW_SECONDS = 60


class BearerTokenAuthentication(BaseAuthentication):
    """Authenticate by a personal API token; refuse revoked tokens, inactive users, and a
    privileged account's tokens without its second factor."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Give the header as 'Authorization: Bearer <token>'."))
        # The address Django saw, as the login limits use: a client cannot choose it.
        address = client_ip(request._request) or ""
        refuse_if_too_many_failures(address)
        try:
            return self.authenticate_key(parts[1].decode("ascii"))
        except UnicodeDecodeError as exc:
            record_failure(request, address)
            raise AuthenticationFailed(_("Invalid or revoked token.")) from exc
        except AuthenticationFailed:
            record_failure(request, address)
            raise

    def authenticate_key(self, key: str) -> tuple[Any, ApiToken]:
        """Return the user and token for a key, or refuse it."""
        token = (
            ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
        )
        if token is None or token.is_revoked or not token.user.is_active:
            raise AuthenticationFailed(_("Invalid or revoked token."))
        if not token_may_act(user=token.user, minted_with_second_factor=token.with_second_factor):
            raise AuthenticationFailed(
                _(
                    "This account can see more than one family: its tokens work only with "
                    "two-factor authentication set up, and only if created after passing it."
                )
            )
        touch(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def _failures_key(address: str) -> str:
    return f"api-token-failures:{address}"


def refuse_if_too_many_failures(address: str) -> None:
    """Answer 429 to an address that gave too many wrong tokens in the current window."""
    if (cache.get(_failures_key(address)) or 0) >= settings.API_TOKEN_FAILURES:
        raise Throttled(wait=FAILURE_WINDOW_SECONDS)


def record_failure(request: Request, address: str) -> None:
    """Count a wrong token against its address and audit it (never the token itself).

    The window starts with the first failure (cache.add); with Redis unreachable the count is
    lost and the limit fails open, as the login limits do (docs/faults.md).
    """
    key = _failures_key(address)
    cache.add(key, 0, FAILURE_WINDOW_SECONDS)
    with contextlib.suppress(ValueError):  # the key expired in between, or Redis is down
        cache.incr(key)
    audit_record(action="auth.token_failed", request=request._request)


def touch(token: ApiToken) -> None:
    """Record that the token was used, at most once a minute."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describe the bearer token in the OpenAPI schema."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from /account/tokens/.",
        }
