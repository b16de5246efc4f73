"""Groups, families and the people of a household, as staff manage them."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from families.models import Family, FamilyMember, Group, Invitation
from fii.models import AuditEvent, Role
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world_a):  # type: ignore[no-untyped-def]
    return client_for(world_a.staff_user)


def family_data(group: Group | None, **overrides: str) -> dict[str, str]:
    data = {
        "name": "The Okafor household",
        "group": str(group.pk) if group else "",
        "joined_on": "2024-03-01",
        "household_size": "5",
        "baseline_monthly_income": "1800",
        "baseline_savings": "120",
        "baseline_debt": "2500",
    }
    data.update(overrides)
    return data


# Groups ------------------------------------------------------------------------------------


def test_it_creates_a_group_and_audits_it(staff, world_a):
    response = staff.post(
        "/o/alpha/groups/new/", {"name": "  Riverside  ", "started_on": "2024-02-01"}
    )
    group = Group.objects.get(organization=world_a.org, name="Riverside")
    assert response.status_code == 302
    assert response["Location"] == f"/o/alpha/groups/{group.pk}/"
    event = AuditEvent.objects.get(action="group.created")
    assert (event.actor, event.organization, event.object_id) == (
        world_a.staff_user,
        world_a.org,
        str(group.pk),
    )


def test_it_rejects_a_duplicate_or_future_group(staff, world_a):
    existing = world_a.objects["group"].name.upper()
    response = staff.post("/o/alpha/groups/new/", {"name": existing, "started_on": "2024-01-01"})
    assert response.status_code == 400
    assert "Another group is already called that." in response.content.decode()
    response = staff.post("/o/alpha/groups/new/", {"name": "Later", "started_on": "2999-01-01"})
    assert response.status_code == 400
    assert "A group cannot start in the future." in response.content.decode()
    assert Group.objects.for_org(world_a.org).count() == 1


def test_it_renames_a_group(staff, world_a):
    group = world_a.objects["group"]
    response = staff.post(
        f"/o/alpha/groups/{group.pk}/edit/", {"name": "Hillside", "started_on": "2024-01-01"}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Hillside"
    assert AuditEvent.objects.get(action="group.updated").detail == {"fields": ["name"]}


def test_it_refuses_to_archive_a_group_that_still_has_families(staff, world_a):
    group = world_a.objects["group"]
    response = staff.post(f"/o/alpha/groups/{group.pk}/archive/")
    assert response.status_code == 409
    assert "Move this group" in response.content.decode()
    group.refresh_from_db()
    assert group.archived_at is None


def test_it_archives_an_empty_group_and_restores_it(staff, world_a):
    group = f.GroupFactory(organization=world_a.org, name="Empty one")
    assert staff.post(f"/o/alpha/groups/{group.pk}/archive/").status_code == 302
    group.refresh_from_db()
    assert group.archived_at is not None
    active = staff.get("/o/alpha/groups/").content.decode()
    archived = staff.get("/o/alpha/groups/?archived=1").content.decode()
    assert "Empty one" not in active and "Empty one" in archived
    staff.post(f"/o/alpha/groups/{group.pk}/restore/")
    group.refresh_from_db()
    assert group.archived_at is None
    assert [e.action for e in AuditEvent.objects.for_org(world_a.org).order_by("at")] == [
        "group.archived",
        "group.restored",
    ]


def test_the_group_list_counts_active_families_with_a_fixed_number_of_queries(
    staff, world_a, django_assert_max_num_queries
):
    for n in range(25):
        group = f.GroupFactory(organization=world_a.org, name=f"Cohort {n:02d}")
        f.FamilyFactory(group=group)
        f.FamilyFactory(group=group, archived_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
    with django_assert_max_num_queries(5):
        body = staff.get("/o/alpha/groups/").content.decode()
    assert body.count(">Cohort ") == 25
    assert '<td class="num">2</td>' in body  # the world's group: two active families
    assert '<td class="num">1</td>' in body


def test_the_group_list_has_an_empty_state(db):
    org = f.OrganizationFactory(slug="quiet")
    staff = f.MembershipFactory(organization=org).user
    body = client_for(staff).get("/o/quiet/groups/").content.decode()
    assert "No groups yet" in body


# Families ----------------------------------------------------------------------------------


@freeze_time("2024-07-05 12:00")
def test_it_adds_a_family_and_audits_field_names_but_no_values(staff, world_a):
    group = world_a.objects["group"]
    response = staff.post("/o/alpha/families/new/", family_data(group))
    family = Family.objects.get(organization=world_a.org, name="The Okafor household")
    assert response.status_code == 302
    assert (family.group, family.household_size, family.baseline_monthly_income) == (
        group,
        5,
        1800.0,
    )
    assert (family.baseline_savings, family.baseline_debt) == (120.0, 2500.0)
    event = AuditEvent.objects.get(action="family.created")
    assert "baseline_monthly_income" in event.detail["fields"]
    assert "1800" not in str(event.detail)


@freeze_time("2024-07-05 12:00")
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "   ", "This field is required."),
        ("household_size", "0", "greater than or equal to 1"),
        ("household_size", "99", "less than or equal to 30"),
        ("baseline_monthly_income", "-5", "greater than or equal to 0"),
        ("baseline_monthly_income", "abc", "Enter a number."),
        ("baseline_debt", "1e12", "That amount looks too large"),
        ("joined_on", "2024-08-01", "cannot be in the future"),
        ("joined_on", "yesterday", "Enter a valid date."),
    ],
)
def test_it_rejects_bad_family_input_and_saves_nothing(staff, world_a, field, value, message):
    data = family_data(world_a.objects["group"], **{field: value})
    response = staff.post("/o/alpha/families/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Family.objects.filter(name="The Okafor household").exists()
    assert not AuditEvent.objects.filter(action="family.created").exists()


def test_it_will_not_put_a_family_in_another_organizations_group(staff, world_a, world_b):
    response = staff.post("/o/alpha/families/new/", family_data(world_b.objects["group"]))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Family.objects.filter(name="The Okafor household").exists()


def test_it_edits_a_family(staff, world_a):
    family = world_a.objects["family"]
    data = {f"family-{k}": v for k, v in family_data(family.group, name="Renamed").items()}
    response = staff.post(f"/o/alpha/families/{family.pk}/edit/", data)
    assert response.status_code == 302
    family.refresh_from_db()
    assert (family.name, family.household_size) == ("Renamed", 5)
    assert set(AuditEvent.objects.get(action="family.updated").detail["fields"]) >= {
        "name",
        "household_size",
    }


def test_staff_looking_at_a_familys_data_is_logged(staff, world_a):
    family = world_a.objects["family"]
    staff.get(f"/o/alpha/families/{family.pk}/edit/")
    staff.get(f"/o/alpha/families/{family.pk}/members/")
    staff.get(f"/o/alpha/families/{family.pk}/consent/")
    events = AuditEvent.objects.filter(action="family.viewed", object_id=str(family.pk))
    assert sorted(e.detail["page"] for e in events) == ["consent", "edit", "members"]
    assert {e.actor for e in events} == {world_a.staff_user}


def test_a_bad_edit_changes_nothing(staff, world_a):
    family = world_a.objects["family"]
    before = family.name
    data = {f"family-{k}": v for k, v in family_data(family.group, household_size="-1").items()}
    response = staff.post(f"/o/alpha/families/{family.pk}/edit/", data)
    assert response.status_code == 400
    family.refresh_from_db()
    assert family.name == before
    assert family.household_size == 3


def test_it_moves_a_family_to_another_group_and_out_of_any(staff, world_a):
    family = world_a.objects["family"]
    old = family.group
    new = f.GroupFactory(organization=world_a.org, name="Northside")
    response = staff.post(f"/o/alpha/families/{family.pk}/move/", {"move-group": new.pk})
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.group == new
    assert AuditEvent.objects.get(action="family.moved").detail == {
        "from_group": old.pk,
        "to_group": new.pk,
    }
    staff.post(f"/o/alpha/families/{family.pk}/move/", {"move-group": ""})
    family.refresh_from_db()
    assert family.group is None


def test_it_will_not_move_a_family_into_an_archived_or_foreign_group(staff, world_a, world_b):
    family = world_a.objects["family"]
    archived = f.GroupFactory(
        organization=world_a.org, archived_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )
    for group in (archived, world_b.objects["group"]):
        response = staff.post(f"/o/alpha/families/{family.pk}/move/", {"move-group": group.pk})
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        assert f"/o/alpha/families/{family.pk}/edit/" in response.content.decode()
        family.refresh_from_db()
        assert family.group == world_a.objects["group"]


def test_archiving_a_family_keeps_it_and_ends_its_open_invitations(staff, world_a):
    family = world_a.objects["family"]
    invitation = f.InvitationFactory(
        organization=world_a.org, role=Role.FAMILY, family=family, email="kid@example.org"
    )
    response = staff.post(f"/o/alpha/families/{family.pk}/archive/")
    assert response.status_code == 302
    family.refresh_from_db()
    invitation.refresh_from_db()
    assert family.archived_at is not None
    assert invitation.cancelled_at is not None
    assert family.journal_entries.count() == 1
    assert family.name not in staff.get("/o/alpha/families/").content.decode()
    assert family.name in staff.get("/o/alpha/families/?archived=1").content.decode()
    staff.post(f"/o/alpha/families/{family.pk}/restore/")
    family.refresh_from_db()
    assert family.archived_at is None


def test_there_is_no_way_to_delete_a_family(staff, world_a):
    family = world_a.objects["family"]
    assert staff.post(f"/o/alpha/families/{family.pk}/delete/").status_code == 404
    assert Family.objects.filter(pk=family.pk).exists()


def test_the_family_list_filters_and_keeps_its_query_count(
    staff, world_a, django_assert_max_num_queries
):
    group = world_a.objects["group"]
    other = f.GroupFactory(organization=world_a.org, name="Other group")
    for n in range(30):
        family = f.FamilyFactory(group=group if n % 2 else other, name=f"Casa {n:02d}")
        f.FamilyMemberFactory(family=family)
        f.FamilyMembershipFactory(family=family)
    f.FamilyFactory(group=None, organization=world_a.org, name="Loner household")
    with django_assert_max_num_queries(7):
        body = staff.get("/o/alpha/families/").content.decode()
    assert body.count(">Casa ") == 30
    only_other = staff.get(f"/o/alpha/families/?group={other.pk}").content.decode()
    assert only_other.count(">Casa ") == 15
    assert "Loner household" in staff.get("/o/alpha/families/?group=none").content.decode()
    found = staff.get("/o/alpha/families/?q=casa+07").content.decode()
    assert "Casa 07" in found and "Casa 08" not in found


def test_the_family_list_pages_beyond_a_hundred(staff, world_a):
    for n in range(105):
        f.FamilyFactory(group=world_a.objects["group"], name=f"Many {n:03d}")
    first = staff.get("/o/alpha/families/").content.decode()
    second = staff.get("/o/alpha/families/?page=2").content.decode()
    assert "Page 1 of 2" in first
    # 107 families by name: the world's "Family ...", 105 "Many ...", the world's "Neighbour ...".
    assert second.count(">Many ") == 6
    assert world_a.objects["neighbour"].name in second


def test_the_family_list_has_an_empty_state(db):
    org = f.OrganizationFactory(slug="fresh")
    staff = f.MembershipFactory(organization=org).user
    body = client_for(staff).get("/o/fresh/families/").content.decode()
    assert "No families yet" in body


# Members of a household --------------------------------------------------------------------


def test_it_adds_edits_and_removes_household_members(staff, world_a):
    family = world_a.objects["family"]
    url = f"/o/alpha/families/{family.pk}/members/"
    response = staff.post(
        url, {"first_name": "Luz", "is_adult": "", "birth_year": "2015", "school": "Lincoln"}
    )
    assert response.status_code == 302
    luz = FamilyMember.objects.get(first_name="Luz")
    assert (luz.family, luz.organization, luz.is_adult) == (family, world_a.org, False)
    staff.post(f"{url}{luz.pk}/", {"first_name": "Luz", "birth_year": "2014", "school": ""})
    luz.refresh_from_db()
    assert luz.birth_year == 2014
    staff.post(f"{url}{luz.pk}/remove/")
    assert not FamilyMember.objects.filter(pk=luz.pk).exists()
    assert [e.action for e in AuditEvent.objects.for_org(world_a.org).order_by("at")] == [
        "member.added",
        "member.updated",
        "member.removed",
    ]


@freeze_time("2024-07-05 12:00")
def test_it_rejects_a_member_born_in_the_future_or_without_a_name(staff, world_a):
    family = world_a.objects["family"]
    url = f"/o/alpha/families/{family.pk}/members/"
    response = staff.post(url, {"first_name": "Zed", "birth_year": "2030"})
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    response = staff.post(url, {"first_name": "", "birth_year": "2000"})
    assert response.status_code == 400
    assert FamilyMember.objects.filter(family=family).count() == 1


def test_a_member_is_reached_only_through_its_own_family(staff, world_a):
    member = world_a.objects["member"]
    neighbour = world_a.objects["neighbour"]
    url = f"/o/alpha/families/{neighbour.pk}/members/{member.pk}/"
    assert staff.get(url).status_code == 404
    assert staff.post(url + "remove/").status_code == 404
    assert FamilyMember.objects.filter(pk=member.pk).exists()


# Access ------------------------------------------------------------------------------------


def test_another_organizations_objects_are_not_found(staff, world_a, world_b):
    group, family, member = (world_b.objects[k] for k in ("group", "family", "member"))
    for url in (
        f"/o/alpha/groups/{group.pk}/edit/",
        f"/o/alpha/families/{family.pk}/edit/",
        f"/o/alpha/families/{family.pk}/members/",
        f"/o/alpha/families/{family.pk}/members/{member.pk}/",
    ):
        assert staff.get(url).status_code == 404, url
    assert staff.post(f"/o/alpha/families/{family.pk}/archive/").status_code == 404
    family.refresh_from_db()
    assert family.archived_at is None


def test_a_family_cannot_open_the_roster(world_a):
    family_client = client_for(world_a.family_user)
    family = world_a.objects["family"]
    for url in (
        "/o/alpha/groups/",
        "/o/alpha/groups/new/",
        "/o/alpha/families/",
        f"/o/alpha/families/{family.pk}/edit/",
        f"/o/alpha/families/{family.pk}/members/",
    ):
        assert family_client.get(url).status_code == 403, url
    assert family_client.post(f"/o/alpha/families/{family.pk}/archive/").status_code == 403
    family.refresh_from_db()
    assert family.archived_at is None


def test_roster_pages_escape_what_people_typed(staff, world_a):
    family = world_a.objects["family"]
    family.name = "<script>alert(1)</script>"
    family.save()
    body = staff.get(f"/o/alpha/families/{family.pk}/edit/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_invitations_left_untouched_by_a_failed_archive_of_another_org(staff, world_b):
    invitation = world_b.objects["invitation"]
    staff.post(f"/o/alpha/families/{world_b.objects['family'].pk}/archive/")
    assert Invitation.objects.get(pk=invitation.pk).cancelled_at is None
