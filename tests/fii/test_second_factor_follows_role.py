"""The second factor follows the account's role now, not the role it had when it logged in.

The attack reproduced: a family session stays "not privileged" after the same account is
invited as staff of another organization and accepts; both sessions then reached the staff
console and API with no second factor and no idle limit, and minted tokens that listed the
new organization's families.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, generate_totp_secret
from django.test import Client
from freezegun import freeze_time

from fii.api.tokens import api_token_create
from fii.models import ApiToken, Membership, Role
from tests import factories as f
from tests.fii.test_mfa import current_code

pytestmark = pytest.mark.django_db

BETA_FAMILIES = "/api/v1/o/beta/families/"
ALPHA_JOURNALS = "/api/v1/o/alpha/journals/"
SET_UP = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _second_factor_on(settings):  # type: ignore[no-untyped-def]
    settings.REQUIRE_MFA = True


def log_in(email: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": f.PASSWORD})
    assert response.status_code == 302
    return client


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


def mint(client: Client, name: str = "Spreadsheet"):  # type: ignore[no-untyped-def]
    response = client.post("/account/tokens/", {"action": "create", "name": name})
    found = re.search(
        r'<code id="new-token" class="token">([^<]+)</code>', response.content.decode()
    )
    return response, (found.group(1) if found else None)


def become_staff_of_beta(client: Client, user, world_b) -> None:  # type: ignore[no-untyped-def]
    """Accept, in this session, an invitation as staff of organization B."""
    invitation = f.InvitationFactory(organization=world_b.org, email=user.email, role=Role.STAFF)
    assert client.post(f"/invite/{invitation.token}/").status_code == 302
    assert Membership.objects.get(user=user, organization=world_b.org).role == Role.STAFF


def set_up_authenticator(client: Client) -> str:
    """Set up an authenticator app through the pages; return its secret.

    allauth says an authenticator was added once its transaction commits, within the request:
    the tests that call this run with real transactions, as in production.
    """
    asked = client.get(SET_UP)
    if asked.status_code == 302:  # allauth asks for the password first
        client.post(asked["Location"], {"password": f.PASSWORD})
        assert client.get(SET_UP).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(SET_UP, {"code": current_code(secret)})
    assert response.status_code == 302, response.content.decode()[:500]
    return secret


def test_a_family_session_that_gains_a_staff_role_must_pass_the_second_factor(world_a, world_b):
    person = world_a.family_user
    old = log_in(person.email)
    assert old.get("/o/alpha/family/").status_code == 200
    _response, family_key = mint(old)
    assert family_key is not None
    assert bearer(family_key).get(ALPHA_JOURNALS).status_code == 200

    accepting = log_in(person.email)
    become_staff_of_beta(accepting, person, world_b)

    # Both sessions are sent to set up the second factor, on every page, the family's too.
    for session in (old, accepting):
        for path in ("/o/beta/", "/o/beta/families/", "/o/alpha/family/", "/account/tokens/"):
            response = session.get(path)
            assert (response.status_code, response["Location"]) == (302, SET_UP), path
        assert session.get(BETA_FAMILIES).status_code == 403
    # Neither session mints a token, and the token minted as a family opens nothing now.
    assert mint(old)[1] is None
    assert ApiToken.objects.filter(user=person).count() == 1
    for path in (BETA_FAMILIES, ALPHA_JOURNALS):
        refused = bearer(family_key).get(path)
        assert refused.status_code == 401, path
        assert "two-factor" in refused.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_the_session_that_set_up_the_factor_goes_on_and_the_other_must_verify(world_a, world_b):
    person = world_a.family_user
    with freeze_time("2026-03-02 09:00") as clock:
        old = log_in(person.email)
        accepting = log_in(person.email)
        become_staff_of_beta(accepting, person, world_b)

        secret = set_up_authenticator(accepting)
        assert accepting.get("/o/beta/").status_code == 200
        # Owning an authenticator is not passing it: the old session is asked for a code.
        asked = old.get("/o/beta/families/")
        assert asked.status_code == 302
        assert asked["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fo%2Fbeta%2Ffamilies%2F"
        assert old.get(BETA_FAMILIES).status_code == 403
        assert mint(old)[1] is None
        # With a code (the next one: a code works once), it goes on to the page it asked for.
        page = old.get(asked["Location"])
        assert page.status_code == 200
        assert 'name="code"' in page.content.decode()
        clock.tick(30)
        verified = old.post(asked["Location"], {"code": current_code(secret)})
        assert verified.status_code == 302
        assert verified["Location"] == "/o/beta/families/"
        assert old.get("/o/beta/families/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_tokens_need_a_second_factor_passed_in_the_last_15_minutes(world_a, world_b):
    person = world_a.family_user
    with freeze_time("2026-03-02 09:00") as clock:
        client = log_in(person.email)
        become_staff_of_beta(client, person, world_b)
        set_up_authenticator(client)
        clock.tick(14 * 60)
        response, key = mint(client)
        assert response.status_code == 200
        assert key is not None
        assert bearer(key).get(BETA_FAMILIES).status_code == 200
        clock.tick(2 * 60)
        late, late_key = mint(client, "Another")
        assert late_key is None
        assert late.status_code == 302
        assert late["Location"] == "/accounts/2fa/reauthenticate/?next=%2Faccount%2Ftokens%2F"
        assert ApiToken.objects.filter(user=person).count() == 1


def test_a_privileged_accounts_tokens_stop_while_it_has_no_authenticator(world_a):
    staff = world_a.staff_user
    TOTP.activate(staff, generate_totp_secret())
    _token, key = api_token_create(user=staff, name="Laptop", with_second_factor=True)
    assert bearer(key).get("/api/v1/o/alpha/families/").status_code == 200
    Authenticator.objects.filter(user=staff).delete()
    assert bearer(key).get("/api/v1/o/alpha/families/").status_code == 401
    TOTP.activate(staff, generate_totp_secret())
    assert bearer(key).get("/api/v1/o/alpha/families/").status_code == 200


def test_a_family_session_is_held_to_the_staff_idle_limit_once_staff(world_a, world_b):
    person = world_a.family_user
    with freeze_time("2026-03-02 09:00") as clock:
        old = log_in(person.email)
        assert old.get("/o/alpha/family/").status_code == 200
        clock.tick(45 * 60)  # a family may pause this long
        assert old.get("/o/alpha/family/").status_code == 200
        become_staff_of_beta(log_in(person.email), person, world_b)
        clock.tick(31 * 60)
        response = old.get("/o/alpha/family/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert old.get(BETA_FAMILIES).status_code in (401, 403)


def test_losing_the_staff_role_lifts_the_staff_rules(world_a):
    staff = world_a.staff_user
    client = log_in(staff.email)
    assert client.get("/account/tokens/")["Location"] == SET_UP
    Membership.objects.filter(user=staff).update(is_active=False)
    assert client.get("/account/tokens/").status_code == 200
