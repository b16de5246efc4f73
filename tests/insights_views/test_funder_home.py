import datetime as dt

import pytest
from django.utils import timezone
from freezegun import freeze_time

from tests import factories as f
from tests.conftest import client_for

from .conftest import count_for_funders

pytestmark = pytest.mark.django_db


def home(world) -> str:  # type: ignore[no-untyped-def]
    return client_for(world.funder_user).get(f"/funders/{world.funder.slug}/").content.decode()


def test_a_funder_sees_no_count_below_the_minimum_cell(world_a):
    count_for_funders(world_a.objects["family"], world_a.objects["neighbour"])
    body = home(world_a)
    assert world_a.org.name in body
    assert "fewer than 11" in body
    assert world_a.objects["family"].name not in body  # type: ignore[attr-defined]
    assert "No organization has enough families to show this yet." in body


def test_a_funder_sees_rounded_counts_when_there_are_enough_families(world_a):
    group = world_a.objects["group"]
    count_for_funders(*(f.FamilyFactory(group=group) for _ in range(14)))
    assert ">15<" in home(world_a)  # 14 families, rounded to the nearest 5


@freeze_time("2024-07-20 12:00")
def test_the_reporting_share_is_the_published_counts_divided(world_a):
    group = world_a.objects["group"]
    families = [f.FamilyFactory(group=group) for _ in range(37)]
    count_for_funders(*families)
    for family in families[:24]:
        f.JournalEntryFactory(family=family, period=dt.date(2024, 6, 1))
    body = home(world_a)
    assert ">35<" in body
    assert "71%" in body  # 25 of 35 as published; the exact 24 of 37 (65%) is never shown
    assert "65%" not in body


def test_it_counts_only_families_whose_consent_to_reporting_is_in_force(world_a):
    group = world_a.objects["group"]
    families = [f.FamilyFactory(group=group) for _ in range(15)]
    count_for_funders(*families)
    f.FamilyFactory.create_batch(4, group=group)  # no consent to reporting
    assert ">15<" in home(world_a)
    for family in families[:5]:
        family.consents.update(revoked_at=timezone.now())
    assert "fewer than 11" in home(world_a)


def test_a_funder_cannot_open_staff_or_family_pages(world_a):
    client = client_for(world_a.funder_user)
    assert client.get(f"/o/{world_a.org.slug}/").status_code == 404
    assert client.get(f"/o/{world_a.org.slug}/family/").status_code == 404
