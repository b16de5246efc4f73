from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # families announces an erasure and insights erases its own rows: families never
        # imports us.
        from families.erasure import describe_counts
        from families.models import Family
        from families.signals import family_erased

        from .erasure import COUNT_LABELS, erase_family_story

        family_erased.connect(
            erase_family_story, sender=Family, dispatch_uid="insights_erase_family"
        )
        describe_counts(COUNT_LABELS)
