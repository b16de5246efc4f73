import datetime as dt

import pytest

from fii.models import AuditEvent
from journals.periods import add_months, due_date, reporting_period
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_reporting_period_is_last_month_until_the_due_day():
    assert reporting_period(dt.date(2026, 3, 10), 10) == dt.date(2026, 2, 1)
    assert reporting_period(dt.date(2026, 3, 11), 10) == dt.date(2026, 3, 1)
    assert reporting_period(dt.date(2026, 1, 5), 10) == dt.date(2025, 12, 1)
    assert due_date(dt.date(2025, 12, 1), 10) == dt.date(2026, 1, 10)
    assert add_months(dt.date(2025, 1, 1), -13) == dt.date(2023, 12, 1)


def test_staff_view_of_a_family_is_audited(world_a):
    family = world_a.objects["family"]
    response = client_for(world_a.staff_user).get(f"/o/{world_a.org.slug}/families/{family.pk}/")  # type: ignore[attr-defined]
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="family.viewed")
    assert event.actor == world_a.staff_user
    assert event.organization == world_a.org
    assert event.object_id == str(family.pk)  # type: ignore[attr-defined]


def test_staff_family_page_escapes_free_text(world_a):
    family = world_a.objects["family"]
    f.GoalFactory(family=family, title="<script>alert(1)</script>")
    body = (
        client_for(world_a.staff_user)
        .get(f"/o/{world_a.org.slug}/families/{family.pk}/")
        .content.decode()
    )  # type: ignore[attr-defined]
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_group_page_lists_its_families(world_a):
    group = world_a.objects["group"]
    body = (
        client_for(world_a.staff_user)
        .get(f"/o/{world_a.org.slug}/groups/{group.pk}/")
        .content.decode()
    )  # type: ignore[attr-defined]
    assert world_a.objects["family"].name in body  # type: ignore[attr-defined]
    assert world_a.objects["neighbour"].name in body  # type: ignore[attr-defined]


def test_staff_family_page_query_count_does_not_grow(world_a, django_assert_max_num_queries):
    family = world_a.objects["family"]
    staff = client_for(world_a.staff_user)
    url = f"/o/{world_a.org.slug}/families/{family.pk}/"
    with django_assert_max_num_queries(12) as few:
        staff.get(url)
    for month in range(1, 5):
        f.JournalEntryFactory(family=family, period=dt.date(2024, month, 1))
        f.GoalFactory(family=family)
        f.FamilyMemberFactory(family=family)
        f.HelpExchangeFactory(giver=world_a.objects["neighbour"], receiver=family)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = staff.get(url).content.decode()
    assert body.count("<tr><td>") == 5
