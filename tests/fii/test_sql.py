"""The hand-written reads of every request (fii.sql) return what the ORM returns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import models
from django.http import Http404
from django.utils import timezone

from fii.access import membership_for
from fii.auth import user_get
from fii.models import Membership, Role, User
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
