"""A page's membership: the user's active one of the URL's organization, read in one query."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404

from fii.access import membership_for
from fii.models import Membership, Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_it_reads_a_membership_with_its_organization_and_family(django_assert_num_queries):
    org = f.OrganizationFactory(stipend_amount=Decimal("12.50"))
    family = f.FamilyFactory(group=f.GroupFactory(organization=org), baseline_savings=10.25)
    user = f.UserFactory()
    f.MembershipFactory(user=user, organization=org, role=Role.FAMILY, family=family)
    with django_assert_num_queries(1):
        membership = membership_for(user, org.slug)
        assert membership.organization.stipend_amount == Decimal("12.50")
        assert membership.family.baseline_savings == 10.25
        assert membership.family.name == family.name


def test_a_staff_membership_has_no_family(django_assert_num_queries):
    org = f.OrganizationFactory()
    staff = f.MembershipFactory(organization=org, role=Role.STAFF)
    with django_assert_num_queries(1):
        membership = membership_for(staff.user, org.slug)
        assert membership.family is None
        assert membership.organization == org


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
