import io
import re

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from tests.api.conftest import api_client_for
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_a_single_warning(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "schema.yml"
    # --fail-on-warn turns any warning into an exception; stderr shows what was said besides.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stdout=out, stderr=err
    )
    assert "Warning" not in err.getvalue()
    assert "Error" not in err.getvalue()
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert "/api/v1/o/{org_slug}/journals/{entry_id}/submit/" in paths
    assert "/api/v1/funders/{funder_slug}/summary/" in paths


def test_every_operation_declares_its_request_and_responses(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target), stdout=io.StringIO())
    schema = yaml.safe_load(target.read_text())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404", "429"} <= codes, (path, method)
            success = next(c for c in codes if c.startswith("2"))
            assert "application/json" in operation["responses"][success]["content"], (path, method)
            if method in ("post", "patch") and not path.endswith("/confirm/"):
                body = operation["requestBody"]["content"]
                assert list(body) == ["application/json"], (path, method)
                assert "400" in codes, (path, method)


def test_the_schema_and_docs_need_a_login(world_a):
    assert Client().get("/api/schema/").status_code == 401
    docs = Client().get("/api/docs/")
    assert docs.status_code == 302
    assert "/accounts/login/" in docs["Location"]
    schema = api_client_for(world_a.family_user).get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi" in schema.content


def test_the_docs_load_their_files_from_our_static_files(world_a):
    staff = client_for(world_a.staff_user)
    body = staff.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs"):
        assert cdn not in body
    # No inline script: the content security policy allows only files of our own.
    assert re.findall(r"<script>", body) == []
    script = staff.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def api_views():  # type: ignore[no-untyped-def]
    def walk(patterns):  # type: ignore[no-untyped-def]
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                cls = getattr(entry.callback, "cls", None)
                if cls is not None and issubclass(cls, APIView):
                    yield cls

    return set(walk(get_resolver().url_patterns))


def test_no_api_view_allows_anyone():
    views = api_views()
    assert len(views) >= 8
    open_views = [v.__name__ for v in views if AllowAny in v.permission_classes]
    assert open_views == []


def test_throttling_is_configured_for_users_and_anonymous_callers(settings):
    framework = settings.REST_FRAMEWORK
    assert framework["DEFAULT_THROTTLE_RATES"] == {"user": "600/min", "anon": "30/min"}
    assert len(framework["DEFAULT_THROTTLE_CLASSES"]) == 2


def test_it_throttles_a_user_with_a_json_429(world_a, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "3/min"},
    }
    api = api_client_for(world_a.family_user)
    statuses = [api.get("/api/v1/o/alpha/journals/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/o/alpha/goals/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"]
    other = api_client_for(world_a.staff_user)
    assert other.get("/api/v1/o/alpha/families/").status_code == 200


def test_an_unknown_api_path_answers_json(world_a):
    api = api_client_for(world_a.family_user)
    for path in ("/api/v2/", "/api/v1/o/alpha/nothing/", "/api/v1/o/alpha/journals"):
        response = api.get(path)
        assert response.status_code == 404
        assert "detail" in response.json()


def test_the_exception_handler_answers_django_and_list_errors_as_objects():
    from django.core.exceptions import ValidationError as DjangoValidationError
    from rest_framework.exceptions import ValidationError

    from fii.api.exceptions import exception_handler

    plain = exception_handler(DjangoValidationError("Too late."), {})
    assert (plain.status_code, plain.data) == (400, {"detail": "Too late."})
    fields = exception_handler(DjangoValidationError({"period": ["Closed."]}), {})
    assert fields.data == {"period": ["Closed."]}
    listed = exception_handler(ValidationError(["One.", "Two."]), {})
    assert listed.data == {"detail": "One. Two."}
