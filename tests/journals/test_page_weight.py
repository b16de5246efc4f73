"""The journal page stays light for a family on a slow phone connection."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from freezegun import freeze_time

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LIMIT = 100 * 1024  # bytes transferred, gzip, before images


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


@freeze_time("2024-07-05 17:00")
def test_the_journal_page_weighs_under_100_kb_and_loads_no_chart_library(world_a):
    html = client_for(world_a.family_user).get("/o/alpha/family/journal/2024-7/").content
    assets = re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    assert assets, "the page should load its stylesheet and scripts"
    assert not any(b"plotly" in a for a in assets)
    total = gzipped_size(html)
    for asset in assets:
        path = finders.find(asset.decode())
        assert path, asset
        with open(path, "rb") as fh:
            total += gzipped_size(fh.read())
    assert total < LIMIT, f"journal page weighs {total} bytes gzipped"
