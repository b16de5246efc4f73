import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from fii.api.tokens import api_token_create
from fii.models import ApiToken, AuditEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

JOURNALS = "/api/v1/o/alpha/journals/"


def bearer(key: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_it_shows_a_new_token_once_and_stores_only_its_hash(world_a):
    page = client_for(world_a.family_user)
    response = page.post("/account/tokens/", {"action": "create", "name": "Spreadsheet"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = re.search(r'<code id="new-token" class="token">([^<]+)</code>', response.content.decode())
    assert key is not None
    key_text = key.group(1)
    token = ApiToken.objects.get(user=world_a.family_user)
    assert token.key_hash == hashlib.sha256(key_text.encode()).hexdigest()
    assert token.prefix == key_text[:8]
    assert token.name == "Spreadsheet"
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values_list().get()]
    assert key_text not in stored
    listing = page.get("/account/tokens/").content.decode()
    assert key_text not in listing
    assert token.prefix in listing
    assert bearer(key_text).get(JOURNALS).status_code == 200


def test_it_refuses_a_token_as_soon_as_it_is_revoked(world_a):
    token, key = api_token_create(user=world_a.family_user, name="phone")
    client = bearer(key)
    assert client.get(JOURNALS).status_code == 200
    page = client_for(world_a.family_user)
    response = page.post("/account/tokens/", {"action": "revoke", "token": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = client.get(JOURNALS)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid or revoked token."}
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"api_token.created", "api_token.revoked"} <= actions


def test_it_does_not_revoke_another_persons_token(world_a):
    token, key = api_token_create(user=world_a.staff_user, name="staff laptop")
    page = client_for(world_a.family_user)
    page.post("/account/tokens/", {"action": "revoke", "token": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is None
    assert bearer(key).get("/api/v1/o/alpha/families/").status_code == 200


def test_it_refuses_the_token_of_an_inactive_user(world_a):
    _token, key = api_token_create(user=world_a.family_user, name="phone")
    world_a.family_user.is_active = False
    world_a.family_user.save()
    assert bearer(key).get(JOURNALS).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer a b", "Bearer fii_not-a-real-token", "Bearer \u00e9t\u00e9"],
)
def test_it_answers_a_bad_authorization_header_with_401_json(world_a, header):
    response = Client(headers={"Authorization": header}).get(JOURNALS)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_it_asks_anonymous_callers_for_a_bearer_token(world_a):
    response = Client().get(JOURNALS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_it_records_use_at_most_once_a_minute(world_a):
    token, key = api_token_create(user=world_a.family_user, name="phone")
    client = bearer(key)
    start = timezone.now()
    with freeze_time(start):
        client.get(JOURNALS)
    token.refresh_from_db()
    assert token.last_used_at == start
    with freeze_time(start + dt.timedelta(seconds=30)):
        client.get(JOURNALS)
    token.refresh_from_db()
    assert token.last_used_at == start
    later = start + dt.timedelta(seconds=61)
    with freeze_time(later):
        client.get(JOURNALS)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_the_token_page_needs_a_login(world_a):
    response = Client().get("/account/tokens/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_asks_for_a_name_before_creating_a_token(world_a):
    response = client_for(world_a.family_user).post("/account/tokens/", {"action": "create"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_session_needs_a_csrf_token_to_write(world_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world_a.family_user)
    assert client.get(JOURNALS).status_code == 200
    response = client.post(JOURNALS, {"period": "2024-06"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_wrong_tokens_are_audited_and_an_address_that_keeps_guessing_gets_429(world_a, settings):
    settings.API_TOKEN_FAILURES = 3
    _token, key = api_token_create(user=world_a.family_user, name="Spreadsheet")
    guesses = [bearer(f"wrong-{n}").get(JOURNALS) for n in range(3)]
    assert [r.status_code for r in guesses] == [401, 401, 401]
    failed = AuditEvent.objects.filter(action="auth.token_failed")
    assert failed.count() == 3
    assert all(key not in str(e.detail) and "wrong" not in str(e.detail) for e in failed)
    assert all(e.organization_id is None for e in failed)
    # Now even the right token waits: the address is refused before any lookup.
    refused = bearer(key).get(JOURNALS)
    assert refused.status_code == 429
    assert "Retry-After" in refused
    # A forwarded-for header of the client's choosing is not another address.
    spoofed = Client(headers={"Authorization": f"Bearer {key}", "X-Forwarded-For": "10.7.7.7"})
    assert spoofed.get(JOURNALS).status_code == 429
    # Another address is not held back by this one's guesses.
    other = Client(headers={"Authorization": f"Bearer {key}"}, REMOTE_ADDR="10.9.9.9")
    assert other.get(JOURNALS).status_code == 200
