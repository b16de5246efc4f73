"""Stories of positive deviants: staff invite, the family writes and chooses its readers.

A story is read only when the family chose an audience and its story-sharing consent is in
force: choosing readers records that consent, withdrawing the story revokes it, and revoking
the consent on the family's consent page hides the story as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from families.models import CONSENT_TEXT_VERSION, Consent, ConsentKind, Family
from families.services import consent_grant, consent_revoke
from fii.audit import audit_record
from fii.models import Organization

from .models import AggregationRun, FamilySnapshot, Story, StoryAudience
from .selectors import latest_run


class StoryError(Exception):
    """A story cannot be invited, saved or withdrawn, for a reason people should read."""


@dataclass
class DeviantRow:
    snapshot: FamilySnapshot
    story: Story | None


def _deviants(organization: Organization, run: AggregationRun) -> Any:
    return (
        FamilySnapshot.objects.for_org(organization)
        .filter(run=run, is_positive_deviant=True, family__archived_at__isnull=True)
        .select_related("family", "family__group")
        .order_by("-margin", "family__name")
    )


def deviant_rows(
    *, organization: Organization
) -> tuple[AggregationRun | None, list[DeviantRow], list[Story]]:
    """Return the latest run, its positive deviants with their story, and other stories."""
    run = latest_run(organization=organization)
    stories = {
        s.family_id: s
        for s in Story.objects.for_org(organization).select_related("family", "invited_by")
    }
    rows = []
    if run is not None:
        rows = [DeviantRow(s, stories.pop(s.family_id, None)) for s in _deviants(organization, run)]
    others = sorted(stories.values(), key=lambda s: s.family.name)
    return run, rows, others


def is_positive_deviant(*, organization: Organization, family: Family) -> bool:
    """Return whether the latest succeeded run marked the family as a positive deviant."""
    run = latest_run(organization=organization)
    return run is not None and _deviants(organization, run).filter(family=family).exists()


def _audit(
    action: str, story: Story, actor: Any, request: HttpRequest | None, **detail: Any
) -> None:
    audit_record(
        action=action,
        actor=actor,
        organization=story.organization,
        obj=story,
        detail={"family": story.family_id, **detail},
        request=request,
    )


@transaction.atomic
def story_invite(
    *, organization: Organization, actor: Any, family: Family, request: HttpRequest | None = None
) -> Story:
    """Invite a positive deviant to share its story; a withdrawn story may be invited again."""
    if not is_positive_deviant(organization=organization, family=family):
        raise StoryError(_("Only a family the latest nightly run marked can be invited."))
    story = Story.objects.for_org(organization).select_for_update().filter(family=family).first()
    if story is not None and story.withdrawn_at is None:
        raise StoryError(_("This family is already invited to share its story."))
    if story is None:
        story = Story(organization=organization, family=family)
    story.invited_by = actor
    story.invited_at = timezone.now()
    story.withdrawn_at = None
    story.save()
    _audit("story.invited", story, actor, request)
    return story


def story_for(*, organization: Organization, family: Family) -> Story | None:
    return Story.objects.for_org(organization).filter(family=family).first()


def _sharing_consent(organization: Organization, family: Family) -> Consent | None:
    return (
        Consent.objects.for_org(organization)
        .in_force()
        .filter(family=family, kind=ConsentKind.STORY_SHARING)
        .first()
    )


def _end_sharing_consent(
    organization: Organization, family: Family, actor: Any, request: HttpRequest | None
) -> None:
    consent = _sharing_consent(organization, family)
    if consent is not None:
        consent_revoke(organization=organization, actor=actor, consent=consent, request=request)


@transaction.atomic
def story_save(
    *,
    organization: Organization,
    family: Family,
    actor: Any,
    body: str,
    audience: str,
    show_name: bool,
    request: HttpRequest | None = None,
) -> Story:
    """Save the family's story and its choice of readers; choosing readers records consent."""
    story = Story.objects.for_org(organization).select_for_update().filter(family=family).first()
    if story is None:
        raise StoryError(_("Your organization has not invited you to share a story yet."))
    if audience != StoryAudience.NONE and not body.strip():
        raise StoryError(_("Write your story before choosing who may read it."))
    was_published = story.is_published
    story.body, story.audience, story.show_name = body, audience, show_name
    if audience == StoryAudience.NONE:
        # Choosing "nobody" for a shared story takes it back, like withdrawing it.
        story.published_at = None
        if was_published:
            story.withdrawn_at = timezone.now()
            _end_sharing_consent(organization, family, actor, request)
    else:
        story.published_at = story.published_at or timezone.now()
        story.withdrawn_at = None
        if _sharing_consent(organization, family) is None:
            consent_grant(
                organization=organization,
                actor=actor,
                family=family,
                kind=ConsentKind.STORY_SHARING,
                text_version=CONSENT_TEXT_VERSION,
                agreed_by=getattr(actor, "name", ""),
                request=request,
            )
    story.save()
    _audit("story.saved", story, actor, request, audience=audience, show_name=show_name)
    return story


@transaction.atomic
def story_withdraw(
    *, organization: Organization, family: Family, actor: Any, request: HttpRequest | None = None
) -> Story:
    """Take a shared story back: nobody reads it any more, and the sharing consent ends."""
    story = Story.objects.for_org(organization).select_for_update().filter(family=family).first()
    if story is None or not story.is_published:
        raise StoryError(_("Your story is not shared, so there is nothing to withdraw."))
    story.audience = StoryAudience.NONE
    story.published_at = None
    story.withdrawn_at = timezone.now()
    story.save()
    _end_sharing_consent(organization, family, actor, request)
    _audit("story.withdrawn", story, actor, request)
    return story


def stories_for_reader(*, organization: Organization, family: Family) -> list[Story]:
    """Return the stories a family may read: shared with its group or the whole organization."""
    consent = Consent.objects.filter(
        organization=organization,
        family=OuterRef("family"),
        kind=ConsentKind.STORY_SHARING,
        revoked_at__isnull=True,
    )
    audience = Q(audience=StoryAudience.ORGANIZATION)
    if family.group_id is not None:
        audience |= Q(audience=StoryAudience.GROUP, family__group_id=family.group_id)
    return list(
        Story.objects.for_org(organization)
        .published()
        .filter(audience, Exists(consent), family__archived_at__isnull=True)
        .select_related("family")
        .order_by("-published_at")
    )


def sharing_consent_in_force(*, organization: Organization, family: Family) -> bool:
    return _sharing_consent(organization, family) is not None
