"""The AGPL's section 13: every page links to the source, which anyone can download."""

import io
import zipfile
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def test_every_page_links_to_the_source(world_a):
    for client, path in [
        (Client(), "/accounts/login/"),
        (client_for(world_a.family_user), "/account/tokens/"),
    ]:
        assert 'href="/source/"' in client.get(path).content.decode(), path


def test_the_source_page_names_the_licence_and_the_repository(settings):
    settings.SOURCE_CODE_URL = "https://code.example.org/fii"
    page = Client().get("/source/").content.decode()
    assert "GNU Affero General Public License" in page
    assert 'href="https://code.example.org/fii"' in page
    settings.SOURCE_CODE_URL = ""
    assert "code.example.org" not in Client().get("/source/").content.decode()


def test_anyone_downloads_the_running_source_without_secrets():
    response = Client().get("/source/fii-source.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert {
        "fii/LICENSE",
        "fii/manage.py",
        "fii/fii/settings.py",
        "fii/templates/base.html",
    } <= set(names)
    assert not [n for n in names if n.endswith((".env", ".sqlite3", ".pyc")) or "/.venv/" in n]
    licence = zipfile.ZipFile(io.BytesIO(response.content)).read("fii/LICENSE").decode()
    assert licence == (ROOT / "LICENSE").read_text()
    assert licence.startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
