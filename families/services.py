"""Writes on the roster: groups, families, members, invitations, consent and memberships.

Every change is audited with the names of the fields that changed, never their values.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fii.audit import audit_event
from fii.models import STAFF_ROLES, Membership, Organization, Role, User

from .models import Consent, Family, FamilyMember, Group, Invitation, _in_two_weeks, _new_token


class RosterError(Exception):
    """A change to the roster is refused, for a reason staff should read."""


# Groups ------------------------------------------------------------------------------------


@transaction.atomic
def group_save(
    *,
    organization: Organization,
    actor: Any,
    group: Group,
    changed: list[str],
    request: HttpRequest | None = None,
) -> Group:
    """Create or update a group (validated by GroupForm) and audit which fields changed."""
    created = group.pk is None
    group.organization = organization
    group.save()
    action = "group.created" if created else "group.updated"
    audit_event(
        action, organization=organization, actor=actor, obj=group, request=request, fields=changed
    )
    return group


@transaction.atomic
def group_archive(
    *, organization: Organization, actor: Any, group: Group, request: HttpRequest | None = None
) -> Group:
    """Archive a group that has no active family left; nothing is deleted."""
    if Family.objects.for_org(organization).active().filter(group=group).exists():
        raise RosterError(_("Move this group's families to another group before archiving it."))
    group.archived_at = timezone.now()
    group.save(update_fields=["archived_at"])
    audit_event(
        "group.archived", organization=organization, actor=actor, obj=group, request=request
    )
    return group


@transaction.atomic
def group_restore(
    *, organization: Organization, actor: Any, group: Group, request: HttpRequest | None = None
) -> Group:
    group.archived_at = None
    group.save(update_fields=["archived_at"])
    audit_event(
        "group.restored", organization=organization, actor=actor, obj=group, request=request
    )
    return group


# Families and their members ----------------------------------------------------------------


def _check_not_erased(family: Family) -> None:
    """Refuse any change to a family whose information was deleted at its request."""
    if family.is_erased:
        raise RosterError(_("This family's information was deleted: its record cannot change."))


@transaction.atomic
def family_save(
    *,
    organization: Organization,
    actor: Any,
    family: Family,
    changed: list[str],
    request: HttpRequest | None = None,
) -> Family:
    """Create or update a family (validated by FamilyForm) and audit which fields changed."""
    created = family.pk is None
    _check_not_erased(family)
    family.organization = organization
    family.save()
    action = "family.created" if created else "family.updated"
    audit_event(
        action, organization=organization, actor=actor, obj=family, request=request, fields=changed
    )
    return family


@transaction.atomic
def family_move(
    *,
    organization: Organization,
    actor: Any,
    family: Family,
    group: Group | None,
    request: HttpRequest | None = None,
) -> Family:
    """Move a family to another group of the organization, or out of any group."""
    _check_not_erased(family)
    if group is not None and (group.organization_id != organization.pk or group.archived_at):
        raise RosterError(_("Choose an active group of your organization."))
    before = family.group_id
    family.group = group
    family.save(update_fields=["group"])
    audit_event(
        "family.moved",
        organization=organization,
        actor=actor,
        obj=family,
        request=request,
        from_group=before,
        to_group=family.group_id,
    )
    return family


@transaction.atomic
def family_archive(
    *, organization: Organization, actor: Any, family: Family, request: HttpRequest | None = None
) -> Family:
    """Archive a family: it leaves lists and reports, and its data stays. Open invitations end."""
    now = timezone.now()
    family.archived_at = now
    family.save(update_fields=["archived_at"])
    Invitation.objects.for_org(organization).open().filter(family=family).update(cancelled_at=now)
    audit_event(
        "family.archived", organization=organization, actor=actor, obj=family, request=request
    )
    return family


@transaction.atomic
def family_restore(
    *, organization: Organization, actor: Any, family: Family, request: HttpRequest | None = None
) -> Family:
    _check_not_erased(family)
    family.archived_at = None
    family.save(update_fields=["archived_at"])
    audit_event(
        "family.restored", organization=organization, actor=actor, obj=family, request=request
    )
    return family


@transaction.atomic
def member_save(
    *,
    organization: Organization,
    actor: Any,
    family: Family,
    member: FamilyMember,
    changed: list[str],
    request: HttpRequest | None = None,
) -> FamilyMember:
    """Add or update a person of the household and audit which fields changed."""
    created = member.pk is None
    _check_not_erased(family)
    member.organization = organization
    member.family = family
    member.save()
    action = "member.added" if created else "member.updated"
    audit_event(
        action,
        organization=organization,
        actor=actor,
        obj=member,
        request=request,
        family=family.pk,
        fields=changed,
    )
    return member


@transaction.atomic
def member_remove(
    *,
    organization: Organization,
    actor: Any,
    member: FamilyMember,
    request: HttpRequest | None = None,
) -> None:
    """Remove a person from the household record (the family's journals are untouched)."""
    audit_event(
        "member.removed",
        organization=organization,
        actor=actor,
        obj=member,
        request=request,
        family=member.family_id,
    )
    member.delete()


# Invitations -------------------------------------------------------------------------------


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation_accept", kwargs={"token": invitation.token})


def _send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organization", "invited_by", "family").get(
        pk=invitation_id
    )
    context = {
        "invitation": invitation,
        "org": invitation.organization,
        "url": invitation_url(invitation),
    }
    subject = render_to_string("families/email/invitation_subject.txt", context).strip()
    body = render_to_string("families/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


def _check_invitable(
    *, organization: Organization, inviter: Membership, email: str, role: str, family: Family | None
) -> None:
    if role in STAFF_ROLES and not inviter.is_org_admin:
        raise RosterError(_("Only an organization admin can invite staff."))
    if (role == Role.FAMILY) != (family is not None):
        raise RosterError(_("A family member's invitation names the family; staff's does not."))
    if family is not None and (
        family.organization_id != organization.pk or family.archived_at or family.is_erased
    ):
        raise RosterError(_("Choose an active family of your organization."))
    member = Membership.objects.for_org(organization).filter(user__email__iexact=email).first()
    if member is not None and member.is_active:
        raise RosterError(_("This address already has an account in your organization."))


@transaction.atomic
def invitation_send(
    *,
    organization: Organization,
    inviter: Membership,
    email: str,
    role: str,
    family: Family | None = None,
    request: HttpRequest | None = None,
) -> tuple[Invitation, bool]:
    """Invite an address in a role and e-mail the link; return (invitation, replaced).

    Inviting an address that already has an open invitation replaces that invitation's role,
    family, link and expiry: the earlier e-mail's link stops working, and one address never
    holds two open invitations (a database constraint).
    """
    email = email.strip().lower()
    _check_invitable(
        organization=organization, inviter=inviter, email=email, role=role, family=family
    )
    invitation = (
        Invitation.objects.for_org(organization).open().select_for_update().filter(email=email)
    ).first()
    replaced = invitation is not None
    if invitation is not None and invitation.role in STAFF_ROLES and not inviter.is_org_admin:
        raise RosterError(_("Only an organization admin can replace a staff invitation."))
    if invitation is None:
        invitation = Invitation(organization=organization, email=email)
    invitation.role = role
    invitation.family = family
    invitation.token = _new_token()
    invitation.expires_at = _in_two_weeks()
    invitation.invited_by = inviter.user
    invitation.save()
    audit_event(
        "invitation.replaced" if replaced else "invitation.sent",
        organization=organization,
        actor=inviter.user,
        obj=invitation,
        request=request,
        role=role,
        family=family.pk if family else None,
    )
    pk = invitation.pk
    transaction.on_commit(lambda: _send_invitation(pk))
    return invitation, replaced


@transaction.atomic
def invitation_cancel(
    *,
    organization: Organization,
    actor: Any,
    invitation: Invitation,
    request: HttpRequest | None = None,
) -> None:
    """Cancel an open invitation: its link stops working. Exactly one open row must change."""
    changed = (
        Invitation.objects.for_org(organization)
        .open()
        .filter(pk=invitation.pk)
        .update(cancelled_at=timezone.now())
    )
    if changed != 1:
        raise RosterError(_("This invitation was already accepted or cancelled."))
    audit_event(
        "invitation.cancelled",
        organization=organization,
        actor=actor,
        obj=invitation,
        request=request,
    )


# What _new_token makes (URL-safe base64); anything else is not looked up at all.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class InvitationUnusable(Exception):
    """The invitation's link cannot be used; `reason` is "unknown", "used" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def invitation_for_token(token: str) -> Invitation:
    """Return the usable invitation with this token, or raise InvitationUnusable."""
    invitation = (
        Invitation.objects.select_related("organization", "family").filter(token=token).first()
        if TOKEN_PATTERN.fullmatch(token)
        else None
    )
    if invitation is None:
        raise InvitationUnusable("unknown")
    if invitation.accepted_at is not None:
        raise InvitationUnusable("used")
    if invitation.cancelled_at is not None or invitation.expires_at <= timezone.now():
        raise InvitationUnusable("expired")
    return invitation


def _new_account(email: str, name: str, password: str) -> User:
    if User.objects.filter(email__iexact=email).exists():
        raise RosterError(_("An account with this address exists already: log in to accept."))
    user = User.objects.create_user(email=email, password=password, name=name)
    # The address is the one the organization wrote to: following the link proves it.
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _join(invitation: Invitation, user: User) -> Membership:
    membership = Membership.objects.for_org(invitation.organization).filter(user=user).first()
    if membership is not None and membership.is_active:
        raise RosterError(_("You already belong to this organization."))
    if membership is None:
        membership = Membership(organization=invitation.organization, user=user)
    membership.role = invitation.role
    membership.family = invitation.family
    membership.is_active = True
    membership.save()
    return membership


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    name: str = "",
    password: str = "",
    request: HttpRequest | None = None,
) -> Membership:
    """Accept an invitation: as the logged-in user it was sent to, or with a new account.

    The account, its verified address and the membership are written in one transaction,
    with the invitation row locked, so a link works exactly once.
    """
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationUnusable("used" if invitation.accepted_at else "expired")
    if user is None:
        user = _new_account(invitation.email, name, password)
    elif user.email.lower() != invitation.email.lower():
        raise RosterError(_("This invitation was sent to another e-mail address."))
    membership = _join(invitation, user)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_event(
        "invitation.accepted",
        organization=invitation.organization,
        actor=user,
        obj=invitation,
        request=request,
        role=invitation.role,
    )
    return membership


# Consent -----------------------------------------------------------------------------------


def _agreed_at(organization: Organization, day: dt.date) -> dt.datetime:
    """Return when a consent dated `day` was given: now if today, else noon that day."""
    if day >= organization.today():
        return timezone.now()
    return dt.datetime.combine(day, dt.time(12), tzinfo=organization.tz)


@transaction.atomic
def consent_grant(
    *,
    organization: Organization,
    actor: Any,
    family: Family,
    kind: str,
    text_version: str,
    agreed_on: dt.date | None = None,
    agreed_by: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Record a consent the family gave; one of each kind may be in force at a time."""
    _check_not_erased(family)
    if Consent.objects.for_org(organization).in_force().filter(family=family, kind=kind).exists():
        raise RosterError(_("This consent is already in force; revoke it first to record it anew."))
    granted_at = _agreed_at(organization, agreed_on or organization.today())
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                organization=organization,
                family=family,
                kind=kind,
                text_version=text_version,
                granted_at=granted_at,
                agreed_by=agreed_by,
                granted_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:  # a concurrent grant of the same kind won
        raise RosterError(_("This consent is already in force.")) from exc
    audit_event(
        "consent.granted",
        organization=organization,
        actor=actor,
        obj=consent,
        request=request,
        family=family.pk,
        kind=kind,
    )
    return consent


@transaction.atomic
def consent_revoke(
    *,
    organization: Organization,
    actor: Any,
    consent: Consent,
    request: HttpRequest | None = None,
) -> Consent:
    """Revoke a consent; the record stays, with when and by whom. Exactly one row must change."""
    now = timezone.now()
    revoker = actor if getattr(actor, "is_authenticated", False) else None
    changed = (
        Consent.objects.for_org(organization)
        .in_force()
        .filter(pk=consent.pk)
        .update(revoked_at=now, revoked_by=revoker)
    )
    if changed != 1:
        raise RosterError(_("This consent was already revoked."))
    consent.refresh_from_db()
    audit_event(
        "consent.revoked",
        organization=organization,
        actor=actor,
        obj=consent,
        request=request,
        family=consent.family_id,
        kind=consent.kind,
    )
    return consent


# Staff and admin accounts ------------------------------------------------------------------


def _check_not_last_admin(organization: Organization, membership: Membership) -> None:
    """Refuse to take away the last active org admin; the admins' rows are locked while we look."""
    if not (membership.is_org_admin and membership.is_active):
        return
    admins = list(
        Membership.objects.for_org(organization)
        .select_for_update()
        .filter(role=Role.ORG_ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )
    if admins == [membership.pk]:
        raise RosterError(
            _("An organization needs at least one admin: make someone else admin first.")
        )


@transaction.atomic
def membership_set_role(
    *,
    organization: Organization,
    actor: Any,
    membership: Membership,
    role: str,
    request: HttpRequest | None = None,
) -> Membership:
    """Switch a staff account between staff and org admin; never the last admin."""
    if role not in STAFF_ROLES or not membership.is_staff_role:
        raise RosterError(_("Only staff accounts can switch between staff and admin."))
    if role == membership.role:
        return membership
    if role != Role.ORG_ADMIN:
        _check_not_last_admin(organization, membership)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_event(
        "membership.role_changed",
        organization=organization,
        actor=actor,
        obj=membership,
        request=request,
        from_role=before,
        to_role=role,
    )
    return membership


@transaction.atomic
def membership_set_active(
    *,
    organization: Organization,
    actor: Any,
    membership: Membership,
    active: bool,
    request: HttpRequest | None = None,
) -> Membership:
    """Deactivate a staff account (it can no longer open the organization) or reactivate it."""
    if not membership.is_staff_role:
        raise RosterError(_("Only staff accounts are managed here."))
    if membership.is_active == active:
        return membership
    if not active:
        _check_not_last_admin(organization, membership)
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    action = "membership.reactivated" if active else "membership.deactivated"
    audit_event(action, organization=organization, actor=actor, obj=membership, request=request)
    return membership
