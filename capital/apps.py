from django.apps import AppConfig


class CapitalConfig(AppConfig):
    name = "capital"
    default_auto_field = "django.db.models.BigAutoField"
