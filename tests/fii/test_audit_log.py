"""The audit log for org admins: browse, filter, page through, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from fii.models import AuditEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LOG = "/o/alpha/audit/"


@pytest.fixture
def admin(world_a):  # type: ignore[no-untyped-def]
    return client_for(world_a.admin_user)


def event(world, action: str, at: dt.datetime, actor=None, **detail):  # type: ignore[no-untyped-def]
    return AuditEvent.objects.create(
        organization=world.org,
        actor=actor or world.staff_user,
        action=action,
        object_type="families.family",
        object_id="1",
        detail=detail,
        at=at,
    )


def rows(body: str) -> int:
    return body.count("<code>")


def test_the_admin_sees_only_the_organizations_events(admin, world_a, world_b):
    event(
        world_a, "family.updated", dt.datetime(2024, 6, 1, tzinfo=dt.UTC), fields=["name", "group"]
    )
    event(
        world_b, "family.archived", dt.datetime(2024, 6, 1, tzinfo=dt.UTC), actor=world_b.staff_user
    )
    body = admin.get(LOG).content.decode()
    assert "family.updated" in body
    assert "fields: name, group" in body
    assert world_a.staff_user.email in body
    assert "family.archived" not in body
    assert world_b.staff_user.email not in body


def test_it_filters_by_action_actor_and_dates(admin, world_a):
    june = dt.datetime(2024, 6, 10, 12, tzinfo=dt.UTC)
    event(world_a, "family.updated", june)
    event(world_a, "family.updated", june + dt.timedelta(days=30), actor=world_a.admin_user)
    event(world_a, "consent.granted", june + dt.timedelta(days=1))
    assert rows(admin.get(LOG + "?action=family.updated").content.decode()) == 2
    by_admin = admin.get(f"{LOG}?actor={world_a.admin_user.pk}").content.decode()
    assert rows(by_admin) == 1
    in_june = admin.get(LOG + "?date_from=2024-06-01&date_to=2024-06-30").content.decode()
    assert rows(in_june) == 2
    one_day = admin.get(LOG + "?date_from=2024-06-11&date_to=2024-06-11").content.decode()
    assert rows(one_day) == 1 and "consent.granted" in one_day


def test_dates_are_days_in_the_organizations_time_zone(admin, world_a):
    # 02:00 UTC on 1 July is still 30 June in California, where the organization works.
    event(world_a, "family.updated", dt.datetime(2024, 7, 1, 2, tzinfo=dt.UTC))
    assert rows(admin.get(LOG + "?date_from=2024-06-30&date_to=2024-06-30").content.decode()) == 1
    assert rows(admin.get(LOG + "?date_from=2024-07-01").content.decode()) == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?date_from=2024-07-01&date_to=2024-06-01", "The start date is after the end date."),
        ("?date_from=yesterday", "Enter a valid date."),
        ("?actor=abc", "Select a valid choice"),
        ("?action=<script>", "Select a valid choice"),
    ],
)
def test_bad_filters_get_a_clear_message(admin, world_a, query, message):
    event(world_a, "family.updated", dt.datetime(2024, 6, 1, tzinfo=dt.UTC))
    response = admin.get(LOG + query)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "<script>" not in body


def test_it_pages_with_a_fixed_number_of_queries(admin, world_a, django_assert_max_num_queries):
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organization=world_a.org,
            actor=world_a.staff_user if n % 2 else world_a.admin_user,
            action=f"action.{n % 7}",
            detail={"n": n},
            at=start + dt.timedelta(hours=n),
        )
        for n in range(120)
    )
    with django_assert_max_num_queries(8):
        first = admin.get(LOG).content.decode()
    assert rows(first) == 50
    assert "Page 1 of 3" in first
    last = admin.get(LOG + "?page=3").content.decode()
    assert rows(last) == 20
    filtered = admin.get(LOG + "?action=action.3").content.decode()
    assert rows(filtered) == 17  # n % 7 == 3 for 17 of the 120
    assert "Page 1 of" not in filtered
    assert rows(admin.get(LOG + "?page=999").content.decode()) == 20  # the last page


def test_an_empty_log_says_so(admin):
    assert "Nothing has been recorded yet." in admin.get(LOG).content.decode()


def test_staff_and_families_cannot_read_the_log(world_a):
    for user in (world_a.staff_user, world_a.family_user):
        assert client_for(user).get(LOG).status_code == 403
