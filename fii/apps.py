from django.apps import AppConfig


class FiiConfig(AppConfig):
    name = "fii"
    verbose_name = "fii platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the login receiver that starts each session's clock, and forgets a removed
        # second factor; then the receivers that write sign-ins and account changes to the
        # audit log.
        from . import checks, security, signals  # noqa: F401

        security.connect_mfa_signals()
        signals.connect()
