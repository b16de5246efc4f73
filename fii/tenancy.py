"""Row-level tenancy: every tenant-owned model is reached through its organization.

Views never look tenant data up by bare id: they go through `Model.objects.for_org(org)`,
so another organization's object is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from .models import Organization

M = TypeVar("M", bound=models.Model)


class TenantQuerySet(models.QuerySet[M]):
    def for_org(self, organization: Organization) -> Self:
        if organization is None or organization.pk is None:
            raise ValueError("A tenant query needs a saved organization.")
        return self.filter(organization=organization)

    def get_for_org_or_404(self, organization: Organization, **lookups: Any) -> M:
        try:
            return self.for_org(organization).get(**lookups)
        except (ObjectDoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc


class TenantModel(models.Model):
    """An abstract base for data that belongs to one organization.

    Each concrete model declares `objects` from TenantQuerySet (a guard test checks it).
    """

    organization = models.ForeignKey("fii.Organization", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
