"""The hand-written reads of every request (fii.sql) return what the ORM returns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.http import Http404
from django.utils import timezone

from fii.access import membership_for
from fii.auth import user_get
from fii.models import Membership, Role, User
from fii.models import UserSession as Session
from fii.sessions import SessionStore
from tests import factories as f

pytestmark = pytest.mark.django_db


def fields_of(instance: models.Model) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def same_as_orm(instance: models.Model) -> None:
    from_orm = type(instance).objects.get(pk=instance.pk)  # type: ignore[attr-defined]
    assert fields_of(instance) == fields_of(from_orm)
    assert instance._state.adding is False
    assert instance._state.db == "default"


def test_it_reads_a_user_as_the_orm_does():
    user = f.UserFactory(name="Ana Núñez", language="es")
    User.objects.filter(pk=user.pk).update(
        last_login=dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
    )
    read = user_get(user.pk)
    same_as_orm(read)
    assert read.last_login == dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
    assert timezone.is_aware(read.date_joined)
    assert read.check_password(f.PASSWORD)
    assert user_get(user.pk + 1000) is None


def test_it_reads_a_membership_with_its_organization_and_family(django_assert_num_queries):
    org = f.OrganizationFactory(stipend_amount=Decimal("12.50"))
    family = f.FamilyFactory(group=f.GroupFactory(organization=org), baseline_savings=10.25)
    user = f.UserFactory()
    f.MembershipFactory(user=user, organization=org, role=Role.FAMILY, family=family)
    with django_assert_num_queries(1):
        membership = membership_for(user, org.slug)
        assert membership.organization.stipend_amount == Decimal("12.50")
        assert membership.family.baseline_savings == 10.25
    for instance in (membership, membership.organization, membership.family):
        same_as_orm(instance)
    assert membership.family.joined_on == dt.date(2024, 1, 1)


def test_a_staff_membership_has_no_family(django_assert_num_queries):
    org = f.OrganizationFactory()
    staff = f.MembershipFactory(organization=org, role=Role.STAFF)
    with django_assert_num_queries(1):
        membership = membership_for(staff.user, org.slug)
        assert membership.family is None
        assert membership.organization == org
    same_as_orm(membership)


def test_it_finds_no_membership_elsewhere_or_when_inactive():
    org, other = f.OrganizationFactory(), f.OrganizationFactory()
    staff = f.MembershipFactory(organization=org, role=Role.STAFF)
    f.MembershipFactory(organization=other, role=Role.STAFF)
    with pytest.raises(Http404):
        membership_for(staff.user, other.slug)
    with pytest.raises(Http404):
        membership_for(staff.user, "no-such-org")
    Membership.objects.filter(pk=staff.pk).update(is_active=False)
    with pytest.raises(Http404):
        membership_for(staff.user, org.slug)


def test_it_reads_a_session_back_and_not_an_expired_one():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    assert SessionStore(store.session_key).load() == {"answer": 42}
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("x" * 32).load() == {}


def test_a_deactivated_user_is_signed_out_at_the_next_request(client):
    user = f.UserFactory()
    staff = f.MembershipFactory(user=user, role=Role.STAFF)
    client.force_login(user)
    assert client.get(f"/o/{staff.organization.slug}/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(f"/o/{staff.organization.slug}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_session_row_keeps_its_users_id_from_login_to_logout(client):
    user = f.UserFactory()
    f.MembershipFactory(user=user, role=Role.STAFF)
    client.force_login(user)
    key = client.cookies["sessionid"].value
    assert Session.objects.get(pk=key).user_id == user.pk
    client.post("/accounts/logout/")
    assert not Session.objects.filter(pk=key, user=user).exists()
    assert not Session.objects.filter(user=user).exists()


def test_a_signed_in_request_reads_its_session_user_and_membership_in_one_query(
    client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = f.UserFactory()
    staff = f.MembershipFactory(user=user, role=Role.STAFF)
    client.force_login(user)
    page = f"/o/{staff.organization.slug}/"
    client.get(page)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page).status_code == 200
    user_table = User._meta.db_table
    reads_of_user = [q["sql"] for q in queries if f'FROM "{user_table}"' in q["sql"]]
    assert reads_of_user == [], reads_of_user  # the user came with the session
    assert any(Session._meta.db_table in q["sql"] and user_table in q["sql"] for q in queries)
    table = Membership._meta.db_table
    alone = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]
    assert alone == [], alone  # and so did the membership of the page's organization


def test_the_user_read_with_a_session_serves_only_that_request_and_that_user():
    from django.core.signals import request_started
    from django.db import close_old_connections

    from fii.sessions import user_read_with_session

    first, second = f.UserFactory(), f.UserFactory()
    store = SessionStore()
    store["_auth_user_id"] = str(first.pk)
    store.create()
    SessionStore(store.session_key).load()
    assert user_read_with_session(first.pk) == first
    assert user_read_with_session(str(first.pk)) == first
    assert user_read_with_session(second.pk) is None  # another user: read again
    # The next request reads its own (sent as the test client does, without closing the
    # test's database connection).
    request_started.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
    assert user_read_with_session(first.pk) is None
    SessionStore(store.session_key).load()
    first.set_password("a new one")
    first.save()
    assert user_read_with_session(first.pk) is None  # changed since: read it again


def start_request(path: str) -> None:
    """Send request_started for a path, as a handler does (the test's connection kept open)."""
    from django.core.signals import request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    try:
        request_started.send(sender=None, environ={"PATH_INFO": path})
    finally:
        request_started.connect(close_old_connections)


def session_of(user: User) -> str:
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store.create()
    return str(store.session_key)


def test_a_page_of_an_organization_reads_the_membership_with_the_session(
    django_assert_num_queries,
):
    org = f.OrganizationFactory(stipend_amount=Decimal("12.50"))
    family = f.FamilyFactory(group=f.GroupFactory(organization=org))
    user = f.UserFactory()
    f.MembershipFactory(user=user, organization=org, role=Role.FAMILY, family=family)
    key = session_of(user)
    start_request(f"/o/{org.slug}/family/")
    with django_assert_num_queries(1):
        SessionStore(key).load()
        membership = membership_for(user, org.slug)
        assert membership.organization.stipend_amount == Decimal("12.50")
        assert membership.family.name == family.name
    for instance in (membership, membership.organization, membership.family):
        same_as_orm(instance)
    with django_assert_num_queries(1):  # taken once: a second call reads it again
        assert membership_for(user, org.slug) == membership


def test_the_membership_read_with_a_session_is_only_that_users_of_that_organization(
    django_assert_num_queries,
):
    org, other = f.OrganizationFactory(), f.OrganizationFactory()
    staff = f.MembershipFactory(organization=org, role=Role.STAFF)
    stranger = f.MembershipFactory(organization=other, role=Role.STAFF)
    key = session_of(staff.user)
    # Another organization's page: no membership read, and 404 from the read.
    start_request(f"/o/{other.slug}/queue/")
    SessionStore(key).load()
    with django_assert_num_queries(0), pytest.raises(Http404):
        membership_for(staff.user, other.slug)
    # The read is for the path's organization and the session's user only.
    start_request(f"/o/{org.slug}/queue/")
    SessionStore(key).load()
    with django_assert_num_queries(1), pytest.raises(Http404):
        membership_for(stranger.user, org.slug)
    with django_assert_num_queries(0):  # still there for its own user
        assert membership_for(staff.user, org.slug) == staff
    # A deactivated membership: 404, read with the session as by the query.
    Membership.objects.filter(pk=staff.pk).update(is_active=False)
    start_request(f"/o/{org.slug}/queue/")
    SessionStore(key).load()
    with django_assert_num_queries(0), pytest.raises(Http404):
        membership_for(staff.user, org.slug)


def test_the_membership_read_with_a_session_is_forgotten_when_memberships_change():
    from fii.access import _read_with_session

    org = f.OrganizationFactory()
    staff = f.MembershipFactory(organization=org, role=Role.STAFF)
    key = session_of(staff.user)
    start_request(f"/o/{org.slug}/")
    SessionStore(key).load()
    assert _read_with_session.get() is not None
    staff.role = Role.ORG_ADMIN
    staff.save()
    assert _read_with_session.get() is None
    SessionStore(key).load()
    f.MembershipFactory(organization=f.OrganizationFactory(), user=staff.user).delete()
    assert _read_with_session.get() is None
    start_request("/accounts/login/")  # a page of no organization reads none
    SessionStore(key).load()
    assert _read_with_session.get() is None
