"""The source code of the running fii, as section 13 of the AGPL asks of a network service."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .exports import download

# What the source is made of: the project's apps and these folders and files, never the
# environment (.env), the database, uploaded files or the virtual environment.
SOURCE_FOLDERS = ("templates", "static", "locale", "docs", "benchmarks", "tests")
SOURCE_FILES = (
    "LICENSE",
    "README.md",
    "pyproject.toml",
    "Makefile",
    "Dockerfile",
    "docker-compose.yml",
    "manage.py",
    ".env.example",
)
SOURCE_SUFFIXES = frozenset(
    {".py", ".html", ".txt", ".css", ".js", ".json", ".svg", ".po", ".md", ".toml", ".yml"}
)


def source_files(root: Path) -> Iterator[Path]:
    """Yield the files of the source under `root`, in a stable order."""
    for name in SOURCE_FILES:
        if (root / name).is_file():
            yield root / name
    app_folders = [Path(c.path) for c in apps.get_app_configs() if Path(c.path).parent == root]
    for folder in [*app_folders, *(root / name for name in SOURCE_FOLDERS)]:
        for path in sorted(folder.rglob("*")):
            if (
                path.is_file()
                and path.suffix in SOURCE_SUFFIXES
                and "__pycache__" not in path.parts
            ):
                yield path


@require_GET
def source(request: HttpRequest) -> HttpResponse:
    """Say where the source is, under which licence, and offer it as a download."""
    return render(request, "fii/source.html", {"source_url": settings.SOURCE_CODE_URL})


@require_GET
def source_download(request: HttpRequest) -> HttpResponse:
    """Send the source of this installation as a zip file, written now from its files."""
    root = Path(settings.BASE_DIR)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in source_files(root):
            archive.write(path, Path("fii") / path.relative_to(root))
    return download(buffer.getvalue(), filename="fii-source.zip", content_type="application/zip")
