from django.apps import AppConfig


class FiiConfig(AppConfig):
    name = "fii"
    verbose_name = "fii platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the login receiver that starts each session's clock, and forgets a removed
        # second factor; then the receivers that write sign-ins and account changes to the
        # audit log.
        from django.db.models.signals import post_migrate

        from . import checks, rowsecurity, security, signals  # noqa: F401

        security.connect_mfa_signals()
        signals.connect()
        # Once every app's migrations ran: row security on (or off) for every tenant table.
        post_migrate.connect(rowsecurity.after_migrate, sender=self, dispatch_uid="fii.rls")
