from django.apps import AppConfig


class CapitalConfig(AppConfig):
    name = "capital"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # insights announces finished snapshots and capital listens: insights never imports us.
        from families.erasure import describe_counts
        from families.models import Family
        from families.signals import family_erased
        from insights.models import AggregationRun
        from insights.signals import snapshots_ready

        from .erasure import COUNT_LABELS, erase_family_capital
        from .funder import register_provider
        from .receivers import flags_on_snapshots_ready

        snapshots_ready.connect(
            flags_on_snapshots_ready, sender=AggregationRun, dispatch_uid="capital_flags_refresh"
        )
        family_erased.connect(
            erase_family_capital, sender=Family, dispatch_uid="capital_erase_family"
        )
        describe_counts(COUNT_LABELS)
        register_provider()
