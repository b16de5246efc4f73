from django.apps import AppConfig


class FiiConfig(AppConfig):
    name = "fii"
    verbose_name = "fii platform"
    default_auto_field = "django.db.models.BigAutoField"
