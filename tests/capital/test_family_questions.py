import pytest

from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_family_home_shows_a_question_from_staff(world_a):
    body = client_for(world_a.family_user).get("/o/alpha/family/").content.decode()
    assert "A question from staff" in body
    assert "Question MARKER-A-7f3e" in body


def test_another_family_of_the_organization_does_not_see_it(world_a):
    neighbour = world_a.objects["neighbour"]
    member = f.MembershipFactory(
        user=f.UserFactory(), organization=world_a.org, role="family", family=neighbour
    )
    body = client_for(member.user).get("/o/alpha/family/").content.decode()
    assert "A question from staff" not in body
