"""Sign-ins, failures, sign-outs, password and second-factor changes are in the audit log.

They belong to no organization (fii/signals.py says why) and keep nothing that was typed.
"""

from __future__ import annotations

import json
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client

from fii.audit import login_key
from fii.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-Zq81"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    # Failed logins count against allauth's limits in the cache; start and leave it clean.
    cache.clear()
    yield
    cache.clear()


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def text_of(event: AuditEvent) -> str:
    return json.dumps(event.detail) + event.object_id


def log_in(client: Client, email: str, password: str = f.PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"login": email, "password": password})


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_it_records_a_login_and_a_logout(world_a):
    client = Client()
    assert log_in(client, world_a.staff_user.email).status_code == 302
    (login,) = events("auth.login")
    assert (login.actor, login.organization) == (world_a.staff_user, None)
    assert login.ip_address == "127.0.0.1"
    client.post("/accounts/logout/")
    (logout,) = events("auth.logout")
    assert (logout.actor, logout.organization) == (world_a.staff_user, None)


def test_a_failed_login_keeps_the_account_but_not_what_was_typed(world_a):
    typed = world_a.staff_user.email.upper()
    response = log_in(Client(), typed, WRONG)
    assert response.status_code == 200
    (failed,) = events("auth.login_failed")
    assert (failed.actor, failed.organization) == (world_a.staff_user, None)
    # The same address gives the same key, whatever its case: attempts can be counted.
    assert failed.detail == {"login_key": login_key(world_a.staff_user.email)}
    assert WRONG not in text_of(failed)
    assert world_a.staff_user.email not in text_of(failed).lower()
    assert not events("auth.login")


def test_a_failed_login_for_no_account_has_no_actor_and_no_address(db):
    typed = "nobody-here@example.org"
    log_in(Client(), typed, WRONG)
    (failed,) = events("auth.login_failed")
    assert failed.actor is None
    assert "nobody" not in text_of(failed)
    assert failed.detail["login_key"] == login_key(" Nobody-Here@example.org ")
    assert failed.detail["login_key"] != login_key("somebody@example.org")


def test_the_login_key_depends_on_the_secret_key(settings):
    before = login_key("ana@example.org")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert login_key("ana@example.org") != before


def test_it_records_a_password_change(world_a):
    client = Client()
    log_in(client, world_a.family_user.email)
    new = "a-brand-new-password-77"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": f.PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    (changed,) = events("auth.password_changed")
    assert (changed.actor, changed.organization, changed.detail) == (world_a.family_user, None, {})


def test_it_records_the_second_factor_being_set_up_used_wrongly_and_removed(
    world_a, settings, django_capture_on_commit_callbacks
):
    settings.REQUIRE_MFA = True
    user = world_a.staff_user
    client = Client()
    log_in(client, user.email)
    asked = client.get("/accounts/2fa/totp/activate/")
    client.post(asked["Location"], {"password": f.PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    # allauth announces the new authenticator once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": code_for(secret)})
    assert response.status_code == 302
    added = [e.detail["type"] for e in events("mfa.authenticator_added")]
    assert Authenticator.Type.TOTP in added
    assert all(
        e.actor == user and e.organization is None for e in events("mfa.authenticator_added")
    )
    assert secret not in json.dumps([e.detail for e in AuditEvent.objects.all()])

    again = Client()
    assert log_in(again, user.email)["Location"] == "/accounts/2fa/authenticate/"
    assert again.post("/accounts/2fa/authenticate/", {"code": "000000"}).status_code == 200
    (failed,) = events("auth.mfa_failed")
    assert (failed.actor, failed.detail["type"]) == (user, Authenticator.Type.TOTP)
    assert "000000" not in text_of(failed)

    client.post("/accounts/2fa/totp/deactivate/")
    removed = events("mfa.authenticator_removed")
    # Without a TOTP device the recovery codes go too.
    assert {e.detail["type"] for e in removed} == {"totp", "recovery_codes"}


def test_too_many_requests_are_answered_429_and_audited(world_a, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    client = Client()
    for _ in range(2):
        log_in(client, "someone@example.org", WRONG)
    response = log_in(client, "someone@example.org", WRONG)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    # A flood of refusals is on record once a minute, not once a request.
    for _ in range(3):
        assert log_in(client, "someone@example.org", WRONG).status_code == 429
    (limited,) = events("auth.rate_limited")
    assert limited.detail == {"limit": "http_429", "method": "POST", "path": "/accounts/login/"}
    assert limited.organization is None
