from django.apps import AppConfig


class JournalsConfig(AppConfig):
    name = "journals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from families.models import Family
        from families.signals import family_erased

        from . import signals  # noqa: F401
        from .erasure import erase_family_text

        family_erased.connect(
            erase_family_text, sender=Family, dispatch_uid="journals_erase_family"
        )
