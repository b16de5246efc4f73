"""Sessions: Django's cached_db store, with the signed-in person's id in a column (fii.sessions)."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from fii.models import Membership, Organization, Role, User
from fii.models import UserSession as Session
from fii.sessions import SessionStore
from tests import factories as f

pytestmark = pytest.mark.django_db


def new_session(**data: object) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    return str(store.session_key)


def test_it_reads_a_session_back_from_the_cache_without_a_query(django_assert_num_queries):
    key = new_session(answer=42)
    with django_assert_num_queries(0):
        assert SessionStore(key).load() == {"answer": 42}


def test_it_reads_a_session_from_the_database_when_the_cache_lost_it(django_assert_num_queries):
    key = new_session(answer=42)
    caches["sessions"].clear()
    with django_assert_num_queries(1):
        assert SessionStore(key).load() == {"answer": 42}
    with django_assert_num_queries(0):  # cached again
        assert SessionStore(key).load() == {"answer": 42}


def test_it_reads_no_expired_or_unknown_session():
    with freeze_time("2026-03-01 12:00:00"):
        key = new_session(answer=42)
    with freeze_time("2026-03-02 00:00:01"):  # 12 hours and a second later
        expired = SessionStore(key)
        assert expired.load() == {}
        assert expired.session_key is None
    assert SessionStore("x" * 32).load() == {}


def test_a_session_row_keeps_its_users_id_from_login_to_logout(client):
    user = f.UserFactory()
    f.MembershipFactory(user=user, role=Role.STAFF)
    client.force_login(user)
    key = client.cookies["sessionid"].value
    assert Session.objects.get(pk=key).user_id == user.pk
    client.post("/accounts/logout/")
    assert not Session.objects.filter(user=user).exists()
    assert not SessionStore().exists(key)


def test_a_session_of_nobody_has_no_user():
    key = new_session(answer=42)
    assert Session.objects.get(pk=key).user_id is None


def test_a_deactivated_user_is_signed_out_at_the_next_request(client):
    user = f.UserFactory()
    staff = f.MembershipFactory(user=user, role=Role.STAFF)
    client.force_login(user)
    assert client.get(f"/o/{staff.organization.slug}/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(f"/o/{staff.organization.slug}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_page_of_an_organization_reads_the_user_then_the_membership_not_the_session(client):
    user = f.UserFactory()
    staff = f.MembershipFactory(user=user, role=Role.STAFF)
    client.force_login(user)
    page = f"/o/{staff.organization.slug}/"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page).status_code == 200

    def reads_of(model: type) -> list[str]:
        table = model._meta.db_table  # type: ignore[attr-defined]
        return [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]

    assert reads_of(Session) == []  # from the cache
    assert len(reads_of(User)) == 1
    [membership] = reads_of(Membership)
    assert Organization._meta.db_table in membership  # with its organization, in one query
