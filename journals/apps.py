from django.apps import AppConfig


class JournalsConfig(AppConfig):
    name = "journals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from families.erasure import describe_counts
        from families.models import Family
        from families.signals import family_erased

        from . import signals  # noqa: F401
        from .erasure import COUNT_LABELS, erase_family_text

        family_erased.connect(
            erase_family_text, sender=Family, dispatch_uid="journals_erase_family"
        )
        describe_counts(COUNT_LABELS)
