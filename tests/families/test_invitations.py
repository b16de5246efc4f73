"""Invitations by e-mail: sending, re-sending, cancelling, and accepting with the link."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils import timezone

from families.models import Invitation
from fii.models import AuditEvent, Membership, Role, User
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PASSWORD = "a-sturdy-passphrase-91"


@pytest.fixture
def staff(world_a):  # type: ignore[no-untyped-def]
    return client_for(world_a.staff_user)


def invite(client, email: str, role: str = "family", family=None):  # type: ignore[no-untyped-def]
    data = {"email": email, "role": role, "family": family.pk if family else ""}
    return client.post("/o/alpha/invitations/", data)


def family_invitation(world, email: str = "new.member@example.org") -> Invitation:  # type: ignore[no-untyped-def]
    return f.InvitationFactory(
        organization=world.org, email=email, role=Role.FAMILY, family=world.objects["family"]
    )


# Sending -----------------------------------------------------------------------------------


def test_staff_invite_a_family_member_and_the_email_holds_the_link(
    staff, world_a, django_capture_on_commit_callbacks
):
    family = world_a.objects["family"]
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(staff, " Rosa@Example.org ", family=family)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="rosa@example.org")
    assert (invitation.role, invitation.family, invitation.invited_by) == (
        Role.FAMILY,
        family,
        world_a.staff_user,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rosa@example.org"]
    assert f"/invite/{invitation.token}/" in message.body
    assert family.name in message.body  # plain text: the name is not HTML-escaped
    assert AuditEvent.objects.get(action="invitation.sent").object_id == str(invitation.pk)


def test_a_family_invitation_names_its_family(staff, world_a):
    response = invite(staff, "rosa@example.org")
    assert response.status_code == 400
    assert "Choose the family this person belongs to." in response.content.decode()
    assert not Invitation.objects.filter(email="rosa@example.org").exists()


def test_staff_cannot_invite_staff_but_an_admin_can(world_a, django_capture_on_commit_callbacks):
    response = invite(client_for(world_a.staff_user), "colleague@example.org", role="staff")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.filter(email="colleague@example.org").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(world_a.admin_user), "colleague@example.org", role="org_admin")
    assert response.status_code == 302
    assert Invitation.objects.get(email="colleague@example.org").role == Role.ORG_ADMIN
    assert len(mail.outbox) == 1


def test_it_refuses_a_family_of_another_organization(staff, world_b):
    response = invite(staff, "rosa@example.org", family=world_b.objects["family"])
    assert response.status_code == 400
    assert not Invitation.objects.filter(email="rosa@example.org").exists()


@pytest.mark.parametrize("email", ["not-an-email", "a" * 250 + "@example.org", ""])
def test_it_rejects_a_bad_address(staff, world_a, email):
    response = invite(staff, email, family=world_a.objects["family"])
    assert response.status_code == 400
    assert Invitation.objects.for_org(world_a.org).count() == 1  # the world's own


def test_it_refuses_someone_who_is_already_a_member(staff, world_a):
    response = invite(staff, world_a.family_user.email.upper(), family=world_a.objects["family"])
    assert response.status_code == 400
    assert "already has an account in your organization" in response.content.decode()


def test_inviting_the_same_address_again_replaces_the_open_invitation(
    staff, world_a, django_capture_on_commit_callbacks
):
    family, neighbour = world_a.objects["family"], world_a.objects["neighbour"]
    with django_capture_on_commit_callbacks(execute=True):
        invite(staff, "rosa@example.org", family=family)
    first = Invitation.objects.get(email="rosa@example.org")
    old_token = first.token
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(staff, "ROSA@example.org", family=neighbour)
    assert response.status_code == 302
    assert Invitation.objects.filter(email="rosa@example.org").count() == 1
    first.refresh_from_db()
    assert first.family == neighbour
    assert first.token != old_token
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="invitation.replaced").count() == 1
    assert Client().get(f"/invite/{old_token}/").status_code == 404


def test_staff_cannot_replace_a_staff_invitation(staff, world_a):
    invitation = world_a.objects["invitation"]  # a staff invitation, sent by an admin
    response = invite(staff, invitation.email, family=world_a.objects["family"])
    assert response.status_code == 400
    assert "Only an organization admin can replace" in response.content.decode()
    invitation.refresh_from_db()
    assert (invitation.role, invitation.family) == (Role.STAFF, None)


def test_cancelling_an_invitation_kills_its_link(staff, world_a):
    invitation = family_invitation(world_a)
    response = staff.post(f"/o/alpha/invitations/{invitation.pk}/cancel/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    page = Client().get(f"/invite/{invitation.token}/")
    assert page.status_code == 410
    assert "This invitation has expired" in page.content.decode()
    assert staff.post(f"/o/alpha/invitations/{invitation.pk}/cancel/").status_code == 409


def test_staff_cannot_cancel_a_staff_invitation(staff, world_a):
    invitation = world_a.objects["invitation"]  # a staff invitation
    assert staff.post(f"/o/alpha/invitations/{invitation.pk}/cancel/").status_code == 403
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_the_invitation_list_keeps_its_query_count(staff, world_a, django_assert_max_num_queries):
    for n in range(30):
        family = f.FamilyFactory(group=world_a.objects["group"])
        f.InvitationFactory(
            organization=world_a.org, email=f"p{n}@example.org", role=Role.FAMILY, family=family
        )
    with django_assert_max_num_queries(8):
        body = staff.get("/o/alpha/invitations/").content.decode()
    assert body.count("@example.org</td>") == 31


def test_a_family_cannot_invite(world_a):
    response = invite(
        client_for(world_a.family_user), "x@example.org", family=world_a.objects["family"]
    )
    assert response.status_code == 403
    assert not Invitation.objects.filter(email="x@example.org").exists()


# Accepting ---------------------------------------------------------------------------------


def test_a_new_person_accepts_with_a_name_and_password(world_a):
    invitation = family_invitation(world_a)
    client = Client()
    page = client.get(f"/invite/{invitation.token}/")
    assert page.status_code == 200
    assert world_a.org.name in page.content.decode()
    response = client.post(
        f"/invite/{invitation.token}/",
        {"name": "Rosa Diaz", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/alpha/family/"
    user = User.objects.get(email="new.member@example.org")
    assert user.name == "Rosa Diaz"
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    membership = Membership.objects.get(user=user)
    assert (membership.organization, membership.role, membership.family) == (
        world_a.org,
        Role.FAMILY,
        world_a.objects["family"],
    )
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert client.get("/o/alpha/family/").status_code == 200  # logged in
    assert AuditEvent.objects.get(action="invitation.accepted").actor == user


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Rosa", "password1": PASSWORD, "password2": PASSWORD + "x"}, "differ"),
        ({"name": "Rosa", "password1": "12345678", "password2": "12345678"}, "too common"),
        ({"name": "Rosa", "password1": "short", "password2": "short"}, "too short"),
        ({"name": "   ", "password1": PASSWORD, "password2": PASSWORD}, "required"),
    ],
)
def test_a_bad_account_form_creates_nothing(world_a, data, message):
    invitation = family_invitation(world_a)
    response = Client().post(f"/invite/{invitation.token}/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_link_works_once(world_a):
    invitation = family_invitation(world_a)
    data = {"name": "Rosa", "password1": PASSWORD, "password2": PASSWORD}
    assert Client().post(f"/invite/{invitation.token}/", data).status_code == 302
    again = Client().post(f"/invite/{invitation.token}/", data)
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    assert User.objects.filter(email=invitation.email).count() == 1


def test_an_expired_link_says_so(world_a):
    invitation = family_invitation(world_a)
    invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    invitation.save()
    response = Client().get(f"/invite/{invitation.token}/")
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


@pytest.mark.parametrize("token", ["nope", "x" * 300, "%00", "%3Cscript%3E"])
def test_an_unknown_link_is_a_clear_page_not_an_error(db, token):
    response = Client().get(f"/invite/{token}/")
    assert response.status_code == 404
    assert "We do not know this invitation" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_someone_logged_in_as_another_person_is_refused_plainly(world_a):
    invitation = family_invitation(world_a)
    response = client_for(world_a.staff_user).post(f"/invite/{invitation.token}/")
    assert response.status_code == 403
    assert "This invitation is for someone else" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(role=Role.FAMILY, user=world_a.staff_user).exists()


def test_an_existing_account_logs_in_and_accepts_with_one_button(world_a, world_b):
    # Staff of B is invited to A: the account exists, so no password is set on this page.
    person = world_b.staff_user
    invitation = f.InvitationFactory(organization=world_a.org, email=person.email)
    anonymous = Client().get(f"/invite/{invitation.token}/")
    assert "Log in to accept" in anonymous.content.decode()
    assert f"next=/invite/{invitation.token}/" in anonymous.content.decode()
    client = client_for(person)
    assert "Accept and join" in client.get(f"/invite/{invitation.token}/").content.decode()
    response = client.post(f"/invite/{invitation.token}/")
    assert response.status_code == 302
    roles = dict(Membership.objects.filter(user=person).values_list("organization__slug", "role"))
    assert roles == {"alpha": Role.STAFF, "beta": Role.STAFF}


def test_a_deactivated_member_can_be_invited_back(world_a, django_capture_on_commit_callbacks):
    staff_membership = Membership.objects.get(user=world_a.staff_user)
    staff_membership.is_active = False
    staff_membership.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(world_a.admin_user), world_a.staff_user.email, role="org_admin")
    invitation = Invitation.objects.get(email=world_a.staff_user.email)
    client_for(world_a.staff_user).post(f"/invite/{invitation.token}/")
    staff_membership.refresh_from_db()
    assert (staff_membership.is_active, staff_membership.role) == (True, Role.ORG_ADMIN)


def test_a_token_of_organization_a_gives_nothing_of_organization_b(world_a, world_b):
    invitation = family_invitation(world_a, email="only.a@example.org")
    client = Client()
    page = client.get(f"/invite/{invitation.token}/").content.decode()
    for name in (world_b.org.name, world_b.objects["family"].name, world_b.objects["group"].name):
        assert name not in page
    client.post(
        f"/invite/{invitation.token}/",
        {"name": "Only A", "password1": PASSWORD, "password2": PASSWORD},
    )
    user = User.objects.get(email="only.a@example.org")
    assert list(Membership.objects.filter(user=user).values_list("organization", flat=True)) == [
        world_a.org.pk
    ]
    family_b = world_b.objects["family"]
    for url in (
        "/o/beta/",
        "/o/beta/family/",
        f"/o/beta/families/{family_b.pk}/",
        "/o/beta/family/stories/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert family_b.name not in response.content.decode()


def test_nobody_signs_up_without_an_invitation(db):
    response = Client().post(
        "/accounts/signup/",
        {"email": "walk.in@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code in (200, 403)
    assert not User.objects.filter(email="walk.in@example.org").exists()
