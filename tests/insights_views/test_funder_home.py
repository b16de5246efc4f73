import pytest

from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_funder_sees_no_count_below_the_minimum_cell(world_a):
    body = client_for(world_a.funder_user).get(f"/funders/{world_a.funder.slug}/").content.decode()
    assert world_a.org.name in body
    assert "fewer than 11" in body
    assert world_a.objects["family"].name not in body  # type: ignore[attr-defined]


def test_a_funder_sees_rounded_counts_when_there_are_enough_families(world_a):
    group = world_a.objects["group"]
    for _ in range(12):
        f.FamilyFactory(group=group)
    body = client_for(world_a.funder_user).get(f"/funders/{world_a.funder.slug}/").content.decode()
    assert ">15<" in body  # 14 families, rounded to the nearest 5


def test_a_funder_cannot_open_staff_or_family_pages(world_a):
    client = client_for(world_a.funder_user)
    assert client.get(f"/o/{world_a.org.slug}/").status_code == 404
    assert client.get(f"/o/{world_a.org.slug}/family/").status_code == 404
