from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from fii.models import Organization

from .models import Indicator
from .services import bump_catalog_version, catalog_install


@receiver(post_save, sender=Organization, dispatch_uid="journals_install_catalog")
def install_catalog_for_new_organization(
    sender: Any, instance: Organization, created: bool, **kwargs: Any
) -> None:
    if created:
        catalog_install(organization=instance)


@receiver(post_save, sender=Indicator, dispatch_uid="journals_indicator_saved")
@receiver(post_delete, sender=Indicator, dispatch_uid="journals_indicator_deleted")
def indicator_changed(sender: Any, instance: Indicator, **kwargs: Any) -> None:
    bump_catalog_version(instance.organization_id)
