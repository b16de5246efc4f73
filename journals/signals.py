from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from fii.models import Organization

from .services import catalog_install


@receiver(post_save, sender=Organization, dispatch_uid="journals_install_catalog")
def install_catalog_for_new_organization(
    sender: Any, instance: Organization, created: bool, **kwargs: Any
) -> None:
    if created:
        catalog_install(organization=instance)
