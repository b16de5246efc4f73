"""The readiness queue: filters, sorting, pages, bad filters, and a query count that stays put."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from capital.models import Flag, FlagStatus
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def queue(world, query: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/o/{world.org.slug}/queue/{query}"


def flag_rows(body: str) -> list[str]:
    """Return the names in the queue's table, in their order."""
    table = body.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in body else ""
    return [row.split('/">')[1].split("</a>")[0] for row in table.split("<tr>")[1:]]


@pytest.fixture
def queue_world(world_a):  # type: ignore[no-untyped-def]
    org = world_a.org
    other_group = f.GroupFactory(organization=org, name="Second group")
    grant = f.ProgramFactory(organization=org, name="Grant")
    fund = f.ProgramFactory(organization=org, name="Fund", kind="group_fund", subject="group")
    ana = f.FamilyFactory(group=world_a.objects["group"], name="Ana household")
    bea = f.FamilyFactory(group=other_group, name="Bea household")
    flags = {
        "ana": f.FlagFactory(program=grant, family=ana, score=90),
        "bea": f.FlagFactory(program=grant, family=bea, score=60),
        "group": f.FlagFactory(program=fund, family=None, group=other_group, score=70),
        "old": f.FlagFactory(
            program=grant,
            score=80,
            status=FlagStatus.DECLINED,
            closed_at=timezone.now(),
            family=f.FamilyFactory(group=other_group, name="Cid household"),
        ),
    }
    Flag.objects.filter(pk=flags["bea"].pk).update(opened_at=timezone.now() - dt.timedelta(days=40))
    return world_a, grant, fund, other_group, flags


def test_it_lists_the_flags_that_need_a_decision_best_first(queue_world):
    world, *_ = queue_world
    body = client_for(world.staff_user).get(queue(world)).content.decode()
    # Family and group flags together; the declined one is not waiting for anyone.
    assert flag_rows(body) == [
        "Ana household",  # 90
        "Family alpha MARKER-A-7f3e",  # 75, the shared world's flag
        "Second group",  # 70
        "Bea household",  # 60
    ]
    assert "Cid household" not in body
    assert "4 flags" in body
    # What each row says besides the name: the family's group, or that it is a group's flag.
    assert body.count('<span class="badge badge-open">Open</span>') == 3
    assert '<span class="badge badge-asked">Waiting for the family</span>' in body
    assert '<span class="muted">· Second group</span>' in body
    assert '<span class="muted">· group</span>' in body


def test_it_filters_by_program_group_status_score_and_age(queue_world):
    world, grant, fund, group, _ = queue_world
    client = client_for(world.staff_user)

    def names(query: str) -> list[str]:
        response = client.get(queue(world, query))
        assert response.status_code == 200
        return flag_rows(response.content.decode())

    assert names(f"?program={fund.pk}") == ["Second group"]
    assert names(f"?group={group.pk}") == ["Second group", "Bea household"]
    assert names("?status=declined") == ["Cid household"]
    assert len(names("?status=any")) == 5
    assert names("?min_score=71") == ["Ana household", "Family alpha MARKER-A-7f3e"]
    assert "Bea household" not in names("?within_days=30")
    assert names(f"?program={grant.pk}&min_score=61&within_days=30") == ["Ana household"]


def test_it_sorts(queue_world):
    world, *_ = queue_world
    client = client_for(world.staff_user)
    by_score = flag_rows(client.get(queue(world, "?sort=score")).content.decode())
    assert by_score[0] == "Bea household" and by_score[-1] == "Ana household"
    oldest = flag_rows(client.get(queue(world, "?sort=opened")).content.decode())
    assert oldest[0] == "Bea household"
    by_program = flag_rows(client.get(queue(world, "?sort=program")).content.decode())
    assert by_program[0] == "Second group"  # "Fund" comes before "Grant"


@pytest.mark.parametrize(
    "query",
    [
        "?min_score=abc",
        "?min_score=-5",
        "?min_score=101",
        "?within_days=0",
        "?within_days=1e9",
        "?program=999999",
        "?program=abc",
        "?status=everything",
        "?sort=password",
    ],
)
def test_it_answers_a_bad_filter_with_a_clear_error(queue_world, query):
    world, *_ = queue_world
    response = client_for(world.staff_user).get(queue(world, query))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please check the answers marked below." in body
    assert 'aria-invalid="true"' in body
    assert "Ana household" in body  # the other filters, here none, still apply


def test_a_program_of_another_organization_is_not_a_filter(queue_world, world_b):
    world, *_ = queue_world
    other = f.ProgramFactory(organization=world_b.org, name="Their grant")
    response = client_for(world.staff_user).get(queue(world, f"?program={other.pk}"))
    assert response.status_code == 400
    assert "Their grant" not in response.content.decode()


def test_it_pages_25_flags_at_a_time_and_keeps_the_filters(world_a):
    grant = f.ProgramFactory(organization=world_a.org, name="Grant")
    for n in range(30):
        f.FlagFactory(program=grant, score=50 + n)
    client = client_for(world_a.staff_user)
    first = client.get(queue(world_a, f"?program={grant.pk}")).content.decode()
    assert len(flag_rows(first)) == 25
    assert "Page 1 of 2" in first
    assert f"?program={grant.pk}&amp;page=2" in first
    second = client.get(queue(world_a, f"?program={grant.pk}&page=2")).content.decode()
    assert len(flag_rows(second)) == 5
    # A page past the end shows the last one rather than an error.
    assert client.get(queue(world_a, "?page=99")).status_code == 200


def test_it_has_empty_states(world_a):
    client = client_for(world_a.staff_user)
    Flag.objects.for_org(world_a.org).update(status=FlagStatus.EXPIRED, closed_at=timezone.now())
    assert "Nothing waits for a decision" in client.get(queue(world_a)).content.decode()
    assert (
        "No flag matches these filters"
        in client.get(queue(world_a, "?min_score=99")).content.decode()
    )


def test_it_denies_families_and_other_organizations(world_a, world_b):
    assert client_for(world_a.family_user).get(queue(world_a)).status_code == 403
    for user in (world_b.staff_user, world_b.admin_user):
        response = client_for(user).get(queue(world_a))
        assert response.status_code == 404
        assert "MARKER-A-7f3e" not in response.content.decode()


def test_the_query_count_does_not_grow_with_flags(world_a, django_assert_num_queries):
    org = world_a.org
    programs = [f.ProgramFactory(organization=org) for _ in range(3)]
    fund = f.ProgramFactory(organization=org, name="A fund", kind="group_fund", subject="group")
    groups = [f.GroupFactory(organization=org) for _ in range(5)]
    client = client_for(world_a.staff_user)
    client.get(queue(world_a))
    # User, membership, programs, groups, count, page.
    with django_assert_num_queries(6):
        client.get(queue(world_a, "?status=any&sort=program"))
    families = [f.FamilyFactory(group=groups[n % 5]) for n in range(100)]
    now = timezone.now()
    live = [
        Flag(organization=org, program=programs[n % 3], family=families[n], score=50 + n % 50)
        for n in range(100)
    ]
    decided = [
        Flag(
            organization=org,
            program=programs[n % 3],
            family=families[n % 100],
            status=FlagStatus.DECLINED,
            closed_at=now,
        )
        for n in range(200)
    ]
    for_groups = [Flag(organization=org, program=fund, family=None, group=g) for g in groups]
    Flag.objects.bulk_create(live + decided + for_groups)
    assert Flag.objects.for_org(org).count() > 300
    with django_assert_num_queries(6):
        body = client.get(queue(world_a, "?status=any&sort=program")).content.decode()
    assert len(flag_rows(body)) == 25
    # Sorted by program, the group fund's five flags come first, then families with their group.
    assert body.count("· group</span>") == 5
    assert body.count('<span class="muted">· Group ') == 20


def test_the_filters_offer_the_programs_and_active_groups_by_name(queue_world, world_a, world_b):
    from django.utils import timezone

    from capital.models import Program
    from capital.selectors import queue_filter_options
    from families.models import Group

    org = world_a.org
    f.GroupFactory(organization=org, name="Archived group", archived_at=timezone.now())
    f.GroupFactory(organization=org, name="A first group")
    options = queue_filter_options(organization=org)
    assert options == {
        "programs": list(Program.objects.for_org(org).values_list("pk", "name")),
        "groups": list(Group.objects.for_org(org).active().values_list("pk", "name")),
    }
    names = [name for _pk, name in options["groups"]]
    assert "Archived group" not in names and "A first group" in names
    theirs = {name for _pk, name in queue_filter_options(organization=world_b.org)["groups"]}
    assert not theirs & set(names)


def test_the_filter_form_follows_the_values_and_the_choices(queue_world):
    """A new group, a bad value or another value is shown on the next page, never an older form."""
    world, grant, *_ = queue_world
    client = client_for(world.staff_user)
    first = client.get(queue(world)).content.decode()
    assert "A new group" not in first and 'aria-invalid="true"' not in first
    f.GroupFactory(organization=world.org, name="A new group")
    assert "A new group" in client.get(queue(world)).content.decode()
    bad = client.get(queue(world, "?min_score=abc"))
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.content.decode()
    chosen = client.get(queue(world, f"?program={grant.pk}")).content.decode()
    assert f'<option value="{grant.pk}" selected>' in chosen
    assert "Clear the filters" in chosen and "Clear the filters" not in first
    assert 'aria-invalid="true"' not in client.get(queue(world)).content.decode()


def test_a_row_shows_the_subject_program_score_status_and_day_opened(world_a, settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    org = world_a.org
    grant = f.ProgramFactory(organization=org, name="Grant <i>")
    family = f.FamilyFactory(
        group=f.GroupFactory(organization=org, name='Group "one"'), name="Ana <b>& co</b>"
    )
    flag = f.FlagFactory(program=grant, family=family, score=89.5, status=FlagStatus.IN_REVIEW)
    # Still February in Los Angeles.
    Flag.objects.filter(pk=flag.pk).update(opened_at=dt.datetime(2026, 3, 1, 3, 30, tzinfo=dt.UTC))
    client = client_for(world_a.staff_user)
    body = client.get(queue(world_a, f"?program={grant.pk}")).content.decode()
    row = body.split("<tbody>")[1].split("</tbody>")[0]
    assert f'href="/o/{org.slug}/queue/{flag.pk}/">Ana &lt;b&gt;&amp; co&lt;/b&gt;</a>' in row
    assert '<span class="muted">· Group &quot;one&quot;</span>' in row
    assert "<td>Grant &lt;i&gt;</td>" in row
    assert '<td class="num">90</td>' in row
    assert '<span class="badge badge-in_review">In review</span>' in row
    assert "Feb. 28, 2026" in row
    world_a.staff_user.language = "es"
    world_a.staff_user.save()
    with translation.override("en"):  # the page switches to Spanish; the tests after it do not
        body = client.get(queue(world_a, f"?program={grant.pk}")).content.decode()
    assert "28 de febrero de 2026" in body
