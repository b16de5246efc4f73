"""Stories of positive deviants: staff invite, the family writes and chooses its readers."""

from __future__ import annotations

import datetime as dt

import pytest

from families.models import Consent, ConsentKind
from fii.models import AuditEvent
from insights.models import FamilySnapshot, Story, StoryAudience
from insights.pipeline import aggregate_organization
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

STORY = "/o/alpha/family/story/"
STORIES = "/o/alpha/family/stories/"


def nightly(world, *deviants):  # type: ignore[no-untyped-def]
    """Run the nightly aggregation, then mark these families as positive deviants."""
    run = aggregate_organization(organization_id=world.org.pk, as_of=dt.date(2024, 7, 2)).run
    FamilySnapshot.objects.filter(run=run, family__in=deviants).update(is_positive_deviant=True)
    return run


@pytest.fixture
def staff(world_a):  # type: ignore[no-untyped-def]
    return client_for(world_a.staff_user)


@pytest.fixture
def neighbour_user(world_a):  # type: ignore[no-untyped-def]
    return f.FamilyMembershipFactory(family=world_a.objects["neighbour"]).user


def share(client, body: str = "We started a bakery.", audience: str = "group", show_name=False):  # type: ignore[no-untyped-def]
    data = {"body": body, "audience": audience}
    if show_name:
        data["show_name"] = "on"
    return client.post(STORY, data)


# Staff -------------------------------------------------------------------------------------


def test_staff_see_the_positive_deviants_of_the_latest_run_and_invite_one(staff, world_a):
    neighbour = world_a.objects["neighbour"]
    nightly(world_a, neighbour)
    body = staff.get("/o/alpha/stories/").content.decode()
    assert neighbour.name in body
    assert "Invite to share its story" in body
    response = staff.post(f"/o/alpha/stories/invite/{neighbour.pk}/")
    assert response.status_code == 302
    story = Story.objects.get(family=neighbour)
    assert (story.invited_by, story.audience, story.published_at) == (
        world_a.staff_user,
        StoryAudience.NONE,
        None,
    )
    assert AuditEvent.objects.get(action="story.invited").object_id == str(story.pk)
    assert staff.post(f"/o/alpha/stories/invite/{neighbour.pk}/").status_code == 409
    assert Story.objects.filter(family=neighbour).count() == 1


def test_only_a_marked_family_can_be_invited(staff, world_a):
    neighbour = world_a.objects["neighbour"]
    nightly(world_a)  # nobody marked
    response = staff.post(f"/o/alpha/stories/invite/{neighbour.pk}/")
    assert response.status_code == 409
    assert "latest nightly run marked" in response.content.decode()
    assert not Story.objects.filter(family=neighbour).exists()


def test_the_staff_page_has_empty_states(staff, world_a):
    assert "No nightly run has finished yet" in staff.get("/o/alpha/stories/").content.decode()
    nightly(world_a)
    body = staff.get("/o/alpha/stories/").content.decode()
    assert "marked no family as a positive deviant" in body


def test_the_staff_page_keeps_its_query_count(staff, world_a, django_assert_max_num_queries):
    families = [f.FamilyFactory(group=world_a.objects["group"]) for _ in range(20)]
    for family in families[:10]:
        f.StoryFactory(family=family)
    nightly(world_a, *families)
    with django_assert_max_num_queries(7):
        body = staff.get("/o/alpha/stories/").content.decode()
    assert body.count("Invite to share its story<span") == 10


def test_staff_never_read_the_story_itself(staff, world_a):
    nightly(world_a, world_a.objects["family"])
    share(client_for(world_a.family_user), body="Secret recipe of our success")
    assert "Secret recipe" not in staff.get("/o/alpha/stories/").content.decode()


def test_families_cannot_invite(world_a):
    neighbour = world_a.objects["neighbour"]
    nightly(world_a, neighbour)
    client = client_for(world_a.family_user)
    assert client.get("/o/alpha/stories/").status_code == 403
    assert client.post(f"/o/alpha/stories/invite/{neighbour.pk}/").status_code == 403
    assert not Story.objects.filter(family=neighbour).exists()


def test_another_organizations_family_cannot_be_invited(staff, world_b):
    family = world_b.objects["neighbour"]
    assert staff.post(f"/o/alpha/stories/invite/{family.pk}/").status_code == 404


# The family --------------------------------------------------------------------------------


def test_a_family_not_invited_sees_a_plain_explanation(world_a, neighbour_user):
    body = client_for(neighbour_user).get(STORY).content.decode()
    assert "When your organization invites you" in body
    response = share(client_for(neighbour_user))
    assert response.status_code == 409
    assert not Story.objects.filter(family=world_a.objects["neighbour"]).exists()


def test_a_story_kept_private_is_read_by_nobody(world_a, neighbour_user):
    client = client_for(world_a.family_user)
    response = share(client, body="Private words", audience="none")
    assert response.status_code == 302
    story = Story.objects.get(family=world_a.objects["family"])
    assert (story.body, story.published_at) == ("Private words", None)
    assert "Private words" not in client_for(neighbour_user).get(STORIES).content.decode()
    assert not Consent.objects.filter(kind=ConsentKind.STORY_SHARING).exists()


def test_sharing_with_the_group_records_consent_and_hides_the_name(world_a, neighbour_user):
    family = world_a.objects["family"]
    response = share(client_for(world_a.family_user), body="We opened a <b>shop</b>.")
    assert response.status_code == 302
    story = Story.objects.get(family=family)
    assert story.is_published and story.audience == StoryAudience.GROUP
    consent = Consent.objects.get(family=family, kind=ConsentKind.STORY_SHARING)
    assert consent.in_force and consent.granted_by == world_a.family_user
    body = client_for(neighbour_user).get(STORIES).content.decode()
    assert "We opened a &lt;b&gt;shop&lt;/b&gt;." in body
    assert family.name not in body
    assert "A family of your group" in body
    event = AuditEvent.objects.get(action="story.saved")
    assert event.detail == {"family": family.pk, "audience": "group", "show_name": False}


def test_a_group_story_stays_inside_the_group(world_a):
    share(client_for(world_a.family_user), body="Only for our group")
    stranger = f.FamilyMembershipFactory(
        family=f.FamilyFactory(group=f.GroupFactory(organization=world_a.org))
    ).user
    assert "Only for our group" not in client_for(stranger).get(STORIES).content.decode()


def test_an_organization_story_with_the_name_is_read_by_every_family_of_it(world_a, world_b):
    share(
        client_for(world_a.family_user),
        body="For everyone",
        audience="organization",
        show_name=True,
    )
    stranger = f.FamilyMembershipFactory(
        family=f.FamilyFactory(group=f.GroupFactory(organization=world_a.org))
    ).user
    body = client_for(stranger).get(STORIES).content.decode()
    assert "For everyone" in body
    assert world_a.objects["family"].name in body
    other_org = client_for(world_b.family_user).get("/o/beta/family/stories/").content.decode()
    assert "For everyone" not in other_org


def test_withdrawing_hides_the_story_and_ends_the_consent(world_a, neighbour_user):
    client = client_for(world_a.family_user)
    share(client, body="Soon withdrawn")
    response = client.post(STORY + "withdraw/")
    assert response.status_code == 302
    story = Story.objects.get(family=world_a.objects["family"])
    assert story.withdrawn_at is not None and not story.is_published
    assert story.body == "Soon withdrawn"  # kept for the family
    consent = Consent.objects.get(kind=ConsentKind.STORY_SHARING)
    assert consent.revoked_at is not None
    assert "Soon withdrawn" not in client_for(neighbour_user).get(STORIES).content.decode()
    assert client.post(STORY + "withdraw/").status_code == 409


def test_choosing_nobody_for_a_shared_story_takes_it_back(world_a, neighbour_user):
    client = client_for(world_a.family_user)
    share(client, body="Shared, then not")
    share(client, body="Shared, then not", audience="none")
    story = Story.objects.get(family=world_a.objects["family"])
    assert story.published_at is None and story.withdrawn_at is not None
    assert Consent.objects.get(kind=ConsentKind.STORY_SHARING).revoked_at is not None
    assert "Shared, then not" not in client_for(neighbour_user).get(STORIES).content.decode()


def test_revoking_the_sharing_consent_hides_the_story(world_a, neighbour_user):
    client = client_for(world_a.family_user)
    share(client, body="Consent decides")
    consent = Consent.objects.get(kind=ConsentKind.STORY_SHARING)
    client.post(f"/o/alpha/family/consent/{consent.pk}/revoke/")
    assert "Consent decides" not in client_for(neighbour_user).get(STORIES).content.decode()
    assert "you withdrew your consent" in client.get(STORY).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"body": "", "audience": "group"}, "Write your story before choosing"),
        ({"body": "Hi", "audience": "everyone"}, "Select a valid choice"),
        ({"body": "x" * 5001, "audience": "none"}, "at most 5000 characters"),
        ({"body": "Hi"}, "This field is required."),
    ],
)
def test_bad_story_input_changes_nothing(world_a, data, message):
    story = world_a.objects["story"]
    response = client_for(world_a.family_user).post(STORY, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    story.refresh_from_db()
    assert (story.audience, story.published_at) == (StoryAudience.NONE, None)


def test_a_family_without_a_group_cannot_share_with_a_group(world_a):
    family = world_a.objects["family"]
    family.group = None
    family.save()
    response = share(client_for(world_a.family_user))
    assert response.status_code == 400
    assert "not in a group yet" in response.content.decode()


def test_the_reading_page_keeps_its_query_count(
    world_a, neighbour_user, django_assert_max_num_queries
):
    for n in range(20):
        family = f.FamilyFactory(group=world_a.objects["group"])
        f.ConsentFactory(family=family, kind=ConsentKind.STORY_SHARING)
        f.StoryFactory(
            family=family,
            body=f"Story number {n}",
            audience=StoryAudience.ORGANIZATION,
            show_name=n % 2 == 0,
            published_at=dt.datetime(2024, 8, 1, tzinfo=dt.UTC),
        )
    client = client_for(neighbour_user)
    with django_assert_max_num_queries(5):
        body = client.get(STORIES).content.decode()
    assert body.count("Story number") == 20


def test_the_reading_page_has_an_empty_state(world_a):
    body = client_for(world_a.family_user).get(STORIES).content.decode()
    assert "No family has shared a story with you yet." in body


def test_staff_have_no_family_story_pages(world_a):
    client = client_for(world_a.staff_user)
    assert client.get(STORY).status_code == 403
    assert client.get(STORIES).status_code == 403
