from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Funder, Membership, Role


@dataclass(frozen=True)
class Place:
    """Somewhere a person can work: an organization in a role, or a funder area."""

    label: str
    role_label: str
    url: str


def membership_home_url(membership: Membership) -> str:
    slug = membership.organization.slug
    if membership.role == Role.FAMILY:
        return reverse("family_home", kwargs={"org_slug": slug})
    return reverse("staff_home", kwargs={"org_slug": slug})


def places_for(user: Any) -> list[Place]:
    """List every organization and funder area the user may enter, for the chooser."""
    memberships = (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organization")
        .order_by("organization__name")
    )
    places = [
        Place(m.organization.name, str(m.get_role_display()), membership_home_url(m))
        for m in memberships
    ]
    funder_label = str(_("Funder"))
    places.extend(
        Place(f.name, funder_label, reverse("funder_home", kwargs={"funder_slug": f.slug}))
        for f in Funder.objects.filter(members=user).order_by("name")
    )
    return places
