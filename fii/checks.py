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


@register(Tags.database)
def check_row_security_holds(
    app_configs: Any, databases: Any = None, **kwargs: Any
) -> list[Warning]:
    """Warn when row security is on but the database role is one PostgreSQL never holds to it
    (a superuser, or BYPASSRLS). Run with `manage.py check --database default`."""
    from django.db import connections

    from .rowsecurity import enabled

    if not databases or "default" not in databases or not enabled():
        return []
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    if not row or not row[0]:
        return []
    return [
        Warning(
            "ROW_SECURITY is on, but the database role is a superuser or has BYPASSRLS: "
            "PostgreSQL applies no row-level policy to it.",
            hint="Connect as a role made with NOSUPERUSER NOBYPASSRLS (docs/row-security.md).",
            id="fii.W002",
        )
    ]
