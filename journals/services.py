"""Writes on journals data: the catalog, and (later) journal submission."""

from __future__ import annotations

from django.db import transaction

from fii.models import Organization

from .catalog import BUILTINS, KIND_BOUNDS
from .models import Indicator


@transaction.atomic
def catalog_install(*, organization: Organization) -> int:
    """Give the organization every built-in indicator it lacks; return how many were added."""
    have = set(Indicator.objects.for_org(organization).values_list("code", flat=True))
    new = []
    for position, item in enumerate(BUILTINS):
        if item.code in have:
            continue
        low, high = KIND_BOUNDS[item.kind]
        new.append(
            Indicator(
                organization=organization,
                code=item.code,
                column=item.code,
                domain=item.domain,
                kind=item.kind,
                label_en=item.label_en,
                label_es=item.label_es,
                help_en=item.help_en,
                help_es=item.help_es,
                min_value=low,
                max_value=item.max_value if item.max_value is not None else high,
                position=position,
            )
        )
    Indicator.objects.bulk_create(new)
    return len(new)
