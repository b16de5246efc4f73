"""Reads of the roster for one screen each, with a number of queries that does not grow."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from fii.models import STAFF_ROLES, Membership, Organization, Role

from .models import Consent, Family, Group, ImportJob, Invitation


def group_list(*, organization: Organization, archived: bool = False) -> QuerySet[Group]:
    """Return the groups with how many active families each has."""
    groups = Group.objects.for_org(organization).filter(archived_at__isnull=not archived)
    return groups.annotate(
        family_count=Count(
            "families",
            filter=Q(families__archived_at__isnull=True, families__erased_at__isnull=True),
        )
    ).order_by("name")


def family_list(
    *,
    organization: Organization,
    archived: bool = False,
    group: Group | None = None,
    ungrouped: bool = False,
    search: str = "",
) -> QuerySet[Family]:
    """Return families with their group and how many people and accounts each has."""
    on_roster = Q(archived_at__isnull=True, erased_at__isnull=True)
    families = (
        Family.objects.for_org(organization)
        # Erased families leave the roster with the archived ones.
        .filter(~on_roster if archived else on_roster)
        .select_related("group")
        .annotate(
            member_count=Count("members", distinct=True),
            account_count=Count(
                "memberships", filter=Q(memberships__is_active=True), distinct=True
            ),
        )
        .order_by("name", "pk")
    )
    if group is not None:
        families = families.filter(group=group)
    elif ungrouped:
        families = families.filter(group__isnull=True)
    if search:
        families = families.filter(name__icontains=search)
    return families


def family_accounts(*, organization: Organization, family: Family) -> list[Membership]:
    """Return the logins bound to a family."""
    return list(
        Membership.objects.for_org(organization)
        .filter(family=family, role=Role.FAMILY)
        .select_related("user")
        .order_by("user__email")
    )


def invitation_list(*, organization: Organization, limit: int = 200) -> list[Invitation]:
    """Return the latest invitations, open ones first."""
    rows = (
        Invitation.objects.for_org(organization)
        .select_related("family", "invited_by")
        .order_by("-created_at")[:limit]
    )
    order = {"pending": 0, "expired": 1, "accepted": 2, "cancelled": 3}
    return sorted(rows, key=lambda i: order[i.status])


def consent_list(*, organization: Organization, family: Family) -> list[Consent]:
    return list(
        Consent.objects.for_org(organization)
        .filter(family=family)
        .select_related("granted_by", "revoked_by")
        .order_by("revoked_at", "-granted_at")
    )


def staff_list(*, organization: Organization) -> list[Membership]:
    """Return the staff and admin accounts of the organization, active ones first."""
    return list(
        Membership.objects.for_org(organization)
        .filter(role__in=STAFF_ROLES)
        .select_related("user")
        .order_by("-is_active", "role", "user__email")
    )


def import_job_list(*, organization: Organization, limit: int = 10) -> list[ImportJob]:
    """Return the latest imports without loading their files."""
    return list(
        ImportJob.objects.for_org(organization)
        .defer("families_csv", "journals_csv", "report")
        .select_related("created_by")
        .order_by("-created_at")[:limit]
    )
