"""System checks of our own, run by `manage.py check --deploy`."""

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_secret_key_is_set(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Warn when a deployment still signs sessions with the embedded default key."""
    if settings.SECRET_KEY != settings.EMBEDDED_SECRET_KEY:
        return []
    return [
        Warning(
            "SECRET_KEY is the embedded default, fit for a laptop demo only.",
            hint="Set SECRET_KEY in the environment to a long random string.",
            id="fii.W001",
        )
    ]
