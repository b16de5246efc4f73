"""The family's home: its journal, its goals and the questions staff asked it."""

import pytest
from django.utils import timezone

from capital.selectors import open_questions_for
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HOME = "/o/alpha/family/"


def test_it_shows_the_latest_journal_and_goals(world_a):
    body = client_for(world_a.family_user).get(HOME).content.decode()
    assert "June 2024" in body
    assert "2,100" in body
    assert world_a.objects["goal"].title in body


def test_it_only_shows_its_own_family(world_a):
    f.GoalFactory(family=world_a.objects["neighbour"], title="Neighbour secret goal")
    body = client_for(world_a.family_user).get(HOME).content.decode()
    assert "Neighbour secret goal" not in body


def test_it_shows_a_question_from_staff(world_a):
    body = client_for(world_a.family_user).get(HOME).content.decode()
    assert "A question from staff" in body
    assert "Question MARKER-A-7f3e" in body
    assert world_a.objects["program"].name in body


def test_another_family_of_the_organization_does_not_see_it(world_a):
    member = f.MembershipFactory(
        user=f.UserFactory(),
        organization=world_a.org,
        role="family",
        family=world_a.objects["neighbour"],
    )
    body = client_for(member.user).get(HOME).content.decode()
    assert "A question from staff" not in body
    assert "Question MARKER-A-7f3e" not in body


@pytest.mark.parametrize("page", ["goals/", "help/", "progress/", "journal/2024-6/"])
def test_the_familys_other_pages_do_not_show_the_question(world_a, page):
    response = client_for(world_a.family_user).get(HOME + page)
    assert response.status_code == 200
    assert "Question MARKER-A-7f3e" not in response.content.decode()


def test_the_home_keeps_its_query_count(world_a, django_assert_num_queries):
    family = client_for(world_a.family_user)
    # The user, the membership, then the journals, the goals and the questions.
    with django_assert_num_queries(5):
        family.get(HOME)
    for n in range(3):
        flag = f.FlagFactory(
            program=f.ProgramFactory(organization=world_a.org, name=f"Fund {n}"),
            family=world_a.objects["family"],
            status="asked",
        )
        f.ReviewFactory(flag=flag, note=f"Asked {n}")
        f.GoalFactory(family=world_a.objects["family"], title=f"Goal {n}")
    with django_assert_num_queries(5):
        body = family.get(HOME).content.decode()
    for text in ("Fund 2", "Asked 2", "Goal 2"):
        assert text in body


def test_open_questions_are_the_familys_unanswered_ones_oldest_first(world_a):
    family = f.FamilyFactory(group=world_a.objects["group"])  # with no question yet
    neighbour = world_a.objects["neighbour"]
    org = world_a.org
    program = f.ProgramFactory(organization=org)
    asked = f.FlagFactory(program=program, family=family, status="asked")
    f.ReviewFactory(flag=asked, note="First")
    f.ReviewFactory(flag=asked, note="Answered", answered_at=timezone.now())
    f.ReviewFactory(flag=asked, note="Approved", decision="approve")
    f.ReviewFactory(flag=asked, note="Second")
    f.ReviewFactory(flag=f.FlagFactory(program=program, family=neighbour, status="asked"))
    read = open_questions_for(organization=org, family=family)
    assert [r.note for r in read] == ["First", "Second"]
    assert read[0].flag == asked and read[0].flag.program.name == program.name
