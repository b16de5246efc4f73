from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .signals import login_rate_limited


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation; nobody signs up on their own."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Refuse a login over the `login_failed` rate limit, and audit the refusal."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            login_rate_limited(request, credentials)
            raise
