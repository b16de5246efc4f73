import pytest
from django.test import Client

from fii.models import AuditEvent, Role, User
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_it_sends_a_family_to_its_family_home(world_a):
    response = client_for(world_a.family_user).get("/")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{world_a.org.slug}/family/"


def test_it_sends_staff_and_admins_to_the_organization_home(world_a):
    for user in (world_a.staff_user, world_a.admin_user):
        response = client_for(user).get("/")
        assert response["Location"] == f"/o/{world_a.org.slug}/"


def test_it_sends_a_funder_to_the_funder_area(world_a):
    response = client_for(world_a.funder_user).get("/")
    assert response["Location"] == f"/funders/{world_a.funder.slug}/"


def test_it_offers_a_choice_to_someone_with_several_places(world_a, world_b):
    f.MembershipFactory(user=world_a.staff_user, organization=world_b.org, role=Role.STAFF)
    client = client_for(world_a.staff_user)
    assert client.get("/")["Location"] == "/choose/"
    body = client.get("/choose/").content.decode()
    assert world_a.org.name in body and world_b.org.name in body


def test_it_tells_someone_without_a_place_what_to_do(db):
    user = f.UserFactory()
    body = client_for(user).get("/choose/").content.decode()
    assert "not part of any organization yet" in body


def test_it_logs_in_with_email_and_password_then_lands_home(world_a):
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": world_a.staff_user.email, "password": f.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/o/{world_a.org.slug}/"
    assert world_a.org.name in response.content.decode()


def test_it_answers_a_wrong_password_with_a_message_not_an_error(world_a):
    response = Client().post(
        "/accounts/login/", {"login": world_a.staff_user.email, "password": "nope"}
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_it_has_no_open_sign_up(db):
    response = Client().post(
        "/accounts/signup/",
        {
            "email": "stranger@example.org",
            "password1": "x-Very-long-1",
            "password2": "x-Very-long-1",
        },
    )
    assert response.status_code in (200, 403)
    assert not User.objects.filter(email="stranger@example.org").exists()


def test_it_answers_an_unknown_organization_with_404(world_a):
    assert client_for(world_a.staff_user).get("/o/no-such-org/").status_code == 404


def test_it_forbids_a_family_the_staff_pages_of_its_own_organization(world_a):
    client = client_for(world_a.family_user)
    assert client.get(f"/o/{world_a.org.slug}/").status_code == 403
    family = world_a.objects["family"]
    assert client.get(f"/o/{world_a.org.slug}/families/{family.pk}/").status_code == 403  # type: ignore[attr-defined]


def test_it_remembers_the_language_on_the_account(world_a):
    client = client_for(world_a.family_user)
    response = client.post(
        "/language/", {"language": "es", "next": f"/o/{world_a.org.slug}/family/"}
    )
    assert response.status_code == 302
    world_a.family_user.refresh_from_db()
    assert world_a.family_user.language == "es"
    other_device = client_for(world_a.family_user)
    body = other_device.get(f"/o/{world_a.org.slug}/family/").content.decode()
    assert 'lang="es"' in body
    assert "Nuestras metas" in body


def test_it_refuses_an_unknown_language_and_an_outside_redirect(world_a):
    client = client_for(world_a.family_user)
    assert client.post("/language/", {"language": "xx"}).status_code == 400
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_health_check_answers(db):
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_a_failed_login_does_not_crash_on_hostile_input(db):
    response = Client().post(
        "/accounts/login/", {"login": "<script>x</script>" * 50, "password": ""}
    )
    assert response.status_code == 200
    assert "<script>x</script>" not in response.content.decode()
    assert AuditEvent.objects.count() == 0
