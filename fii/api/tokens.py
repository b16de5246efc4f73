"""Personal API tokens: created once, shown once, stored only as a hash, revoked at once."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from fii.audit import audit_record
from fii.models import ApiToken

# A recognisable prefix lets secret scanners and people tell a fii token from other secrets.
TOKEN_PREFIX = "fii_"  # noqa: S105 - a public marker, not a secret


@transaction.atomic
def api_token_create(
    *, user: Any, name: str, with_second_factor: bool = False
) -> tuple[ApiToken, str]:
    """Create a token for the user and return it with its key, which is never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash_key(key),
        prefix=key[:8],
        with_second_factor=with_second_factor,
    )
    audit_record(action="api_token.created", actor=user, obj=token)
    return token, key


@transaction.atomic
def api_token_revoke(*, user: Any, token_id: int) -> bool:
    """Revoke one of the user's own tokens; return whether a live token was revoked."""
    changed = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if changed:
        audit_record(action="api_token.revoked", actor=user, detail={"token_id": token_id})
    return changed == 1
