"""The main navigation, kept once per role, organization and language, fits each person."""

from __future__ import annotations

import re

import pytest

from fii.models import Organization
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def nav(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    found = re.search(r'<nav aria-label="[^"]+" class="main-nav">.*?</nav>', response.text, re.S)
    assert found, url
    return found.group(0)


def test_each_role_sees_its_own_links(world_a, world_b):
    family = nav(client_for(world_a.family_user), "/o/alpha/family/")
    assert 'href="/o/alpha/family/journal/"' in family and "/queue/" not in family
    staff = nav(client_for(world_a.staff_user), "/o/alpha/")
    assert 'href="/o/alpha/queue/"' in staff and world_a.org.name in staff
    assert "/audit/" not in staff and "/family/journal/" not in staff
    admin = nav(client_for(world_a.admin_user), "/o/alpha/")
    assert "/o/alpha/audit/" in admin
    other = nav(client_for(world_b.staff_user), "/o/beta/")
    assert "/o/beta/queue/" in other and "/o/alpha/" not in other
    funder = nav(client_for(world_a.funder_user), f"/funders/{world_a.funder.slug}/")
    assert world_a.funder.name in funder and "/queue/" not in funder


def test_it_follows_the_language_and_a_new_name(world_a):
    staff = client_for(world_a.staff_user)
    assert ">Families<" in nav(staff, "/o/alpha/")
    world_a.staff_user.language = "es"
    world_a.staff_user.save()
    assert ">Familias<" in nav(staff, "/o/alpha/")
    Organization.objects.filter(pk=world_a.org.pk).update(name="Alpha renamed")
    assert "Alpha renamed" in nav(staff, "/o/alpha/")
