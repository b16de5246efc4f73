"""A second factor is required of everyone who can see more than one family."""

import datetime as dt
import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from django.test import Client
from freezegun import freeze_time

from fii.security import MFA_EXEMPT_PREFIXES
from tests import factories as f
from tests.conftest import client_for
from tests.test_isolation import EXEMPT, fill, our_routes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _second_factor_on(settings):  # type: ignore[no-untyped-def]
    settings.REQUIRE_MFA = True
    cache.clear()


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def with_totp(user) -> str:  # type: ignore[no-untyped-def]
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def test_staff_without_a_second_factor_reach_only_the_enrolment_pages(world_a):
    client = client_for(world_a.staff_user)
    checked = 0
    for route in our_routes():
        path = fill(route, world_a)
        if path is None or route.name in EXEMPT or path.startswith(MFA_EXEMPT_PREFIXES):
            continue
        response = client.get(path)
        checked += 1
        if path.startswith("/api/"):
            assert response.status_code in (401, 403), route.name
        else:
            assert response.status_code == 302, route.name
            assert response["Location"] == "/accounts/2fa/totp/activate/", route.name
    assert checked > 10
    # Setting up the second factor asks for the password again, then shows the QR code.
    fresh, location = log_in_with_password(world_a.staff_user.email)
    assert fresh.get(location)["Location"] == "/accounts/2fa/totp/activate/"
    asked = fresh.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    fresh.post(asked["Location"], {"password": f.PASSWORD})
    page = fresh.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert "authenticator" in page.content.decode().lower()


def test_admins_and_funders_are_held_too_but_families_are_not(world_a):
    for user, path in [
        (world_a.admin_user, "/o/alpha/"),
        (world_a.funder_user, "/funders/funder-of-alpha/"),
    ]:
        assert client_for(user).get(path)["Location"] == "/accounts/2fa/totp/activate/"
    assert client_for(world_a.family_user).get("/o/alpha/family/").status_code == 200


def test_with_a_second_factor_passed_at_login_staff_work_normally(world_a):
    secret = with_totp(world_a.staff_user)
    client, location = log_in_with_password(world_a.staff_user.email)
    client.post(location, {"code": current_code(secret)})
    assert client.get("/o/alpha/").status_code == 200


def test_owning_a_second_factor_is_not_passing_it(world_a):
    with_totp(world_a.staff_user)
    response = client_for(world_a.staff_user).get("/o/alpha/")
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fo%2Falpha%2F"


def log_in_with_password(email: str) -> tuple[Client, str]:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": f.PASSWORD})
    return client, response["Location"]


def test_a_totp_code_works_once(world_a):
    secret = with_totp(world_a.staff_user)
    client, location = log_in_with_password(world_a.staff_user.email)
    assert location == "/accounts/2fa/authenticate/"
    code = current_code(secret)
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/o/alpha/").status_code == 200
    replay, _ = log_in_with_password(world_a.staff_user.email)
    response = replay.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 200  # the form again, with an error
    assert replay.get("/o/alpha/").status_code == 302


def test_each_recovery_code_works_once(world_a):
    with_totp(world_a.staff_user)
    codes = RecoveryCodes.activate(world_a.staff_user).get_unused_codes()
    client, _ = log_in_with_password(world_a.staff_user.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    again, _ = log_in_with_password(world_a.staff_user.email)
    assert again.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 200
    assert again.post("/accounts/2fa/authenticate/", {"code": codes[1]}).status_code == 302


def test_the_password_alone_never_opens_a_staff_session(world_a):
    with_totp(world_a.staff_user)
    client, location = log_in_with_password(world_a.staff_user.email)
    assert location == "/accounts/2fa/authenticate/"
    assert client.get("/o/alpha/").status_code == 302


def test_the_django_admin_has_no_login_of_its_own(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    operator = f.UserFactory(is_staff=True, is_superuser=True)
    secret = with_totp(operator)
    assert Authenticator.objects.filter(user=operator).exists()
    client, location = log_in_with_password(operator.email)
    client.post(location, {"code": current_code(secret)})
    assert client.get("/admin/").status_code == 200


def reset_link(email: str, mailoutbox) -> str:  # type: ignore[no-untyped-def]
    Client().post("/accounts/password/reset/", {"email": email})
    found = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mailoutbox[-1].body)
    assert found, mailoutbox[-1].body
    return found.group(1)


def test_a_password_reset_still_leads_to_the_second_factor(world_a, mailoutbox):
    with_totp(world_a.staff_user)
    client = Client()
    form = client.get(reset_link(world_a.staff_user.email, mailoutbox), follow=True)
    new_password = "a-new-long-password-2026"
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else form.request["PATH_INFO"],
        {"password1": new_password, "password2": new_password},
    )
    assert done.status_code == 302
    assert client.get("/o/alpha/").status_code == 302  # the reset logged nobody in
    after = Client()
    response = after.post(
        "/accounts/login/", {"login": world_a.staff_user.email, "password": new_password}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert after.get("/o/alpha/").status_code == 302


def test_changing_the_email_asks_for_the_password_again(world_a):
    user = world_a.family_user
    with freeze_time() as clock:
        client, _ = log_in_with_password(user.email)
        clock.tick(dt.timedelta(minutes=10))  # longer ago than allauth's 5 minutes
        response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauthenticate/")
        assert not user.emailaddress_set.filter(email="new@example.org").exists()
        # With the password given again, allauth carries out the change it held back.
        client.post(response["Location"], {"password": f.PASSWORD})
    assert user.emailaddress_set.filter(email="new@example.org").exists()


def test_an_account_with_a_second_factor_cannot_add_an_email_address(world_a):
    # allauth refuses it outright while e-mail addresses are not verified by a code.
    secret = with_totp(world_a.staff_user)
    client, _ = log_in_with_password(world_a.staff_user.email)
    client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    assert response.status_code == 200
    assert "two-factor" in response.content.decode()
    assert not world_a.staff_user.emailaddress_set.filter(email="new@example.org").exists()


@pytest.mark.parametrize(
    "path", ["/accounts/2fa/totp/deactivate/", "/accounts/2fa/recovery-codes/generate/"]
)
def test_changing_the_second_factor_asks_for_the_password_again(world_a, path):
    secret = with_totp(world_a.staff_user)
    with freeze_time() as clock:
        client, _ = log_in_with_password(world_a.staff_user.email)
        client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
        assert client.get("/o/alpha/").status_code == 200
        clock.tick(dt.timedelta(minutes=10))  # longer ago than allauth's 5 minutes
        response = client.post(path, {})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauthenticate/")
    assert Authenticator.objects.filter(user=world_a.staff_user, type="totp").exists()
