import re
from pathlib import Path

import pytest
from django.test import Client
from freezegun import freeze_time

from tests import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def log_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": f.PASSWORD})
    assert response.status_code == 302
    return client


def test_every_page_forbids_inline_scripts_and_framing(world_a):
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def test_no_template_carries_an_inline_script():
    offenders = [
        f"{path.relative_to(ROOT)}: {tag}"
        for path in (ROOT / "templates").rglob("*.html")
        for tag in re.findall(r"<script\b[^>]*>", path.read_text())
        if "src=" not in tag and "application/json" not in tag
    ]
    assert offenders == []


def test_authenticated_pages_are_never_cached(world_a):
    client = log_in(world_a.family_user)
    response = client.get("/o/alpha/family/")
    assert response["Cache-Control"] == "no-store"
    assert "no-store" not in Client().get("/healthz").get("Cache-Control", "")


def test_staff_sessions_end_after_30_idle_minutes(world_a):
    with freeze_time("2026-01-05 09:00") as clock:
        client = log_in(world_a.staff_user)
        assert client.get("/o/alpha/").status_code == 200
        clock.tick(29 * 60)
        assert client.get("/o/alpha/").status_code == 200
        clock.tick(29 * 60)  # active a minute ago: still in
        assert client.get("/o/alpha/").status_code == 200
        clock.tick(31 * 60)
        response = client.get("/o/alpha/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/o/alpha/")
        assert client.get("/o/alpha/").status_code == 302


def test_every_session_ends_after_12_hours_even_when_busy(world_a):
    with freeze_time("2026-01-05 08:00") as clock:
        client = log_in(world_a.family_user)
        for _ in range(11):
            clock.tick(60 * 60)
            assert client.get("/o/alpha/family/").status_code == 200
        clock.tick(61 * 60)
        assert client.get("/o/alpha/family/").status_code == 302


def test_a_family_is_not_logged_out_for_a_long_pause(world_a):
    with freeze_time("2026-01-05 08:00") as clock:
        client = log_in(world_a.family_user)
        clock.tick(3 * 60 * 60)
        assert client.get("/o/alpha/family/").status_code == 200


def test_a_deactivated_user_is_out_at_the_next_request(world_a):
    client = log_in(world_a.staff_user)
    world_a.staff_user.is_active = False
    world_a.staff_user.save()
    assert client.get("/o/alpha/").status_code == 302
