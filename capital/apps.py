from django.apps import AppConfig


class CapitalConfig(AppConfig):
    name = "capital"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # insights announces finished snapshots and capital listens: insights never imports us.
        from insights.models import AggregationRun
        from insights.signals import snapshots_ready

        from .funder import register_provider
        from .receivers import flags_on_snapshots_ready

        snapshots_ready.connect(
            flags_on_snapshots_ready, sender=AggregationRun, dispatch_uid="capital_flags_refresh"
        )
        register_provider()
