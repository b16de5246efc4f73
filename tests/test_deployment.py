"""The production files point at things that exist in the project."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_words(service: dict) -> list[str]:  # type: ignore[type-arg]
    command = service["command"]
    return command if isinstance(command, list) else shlex.split(command.replace("&&", " && "))


def test_compose_has_every_service_of_production():
    assert {"db", "redis", "web", "worker", "beat"} <= set(compose()["services"])


def test_every_app_service_runs_something_that_exists():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        words = command_words(services[name])
        if "gunicorn" in words:
            module, attr = words[words.index("gunicorn") + 1].split(":")
            path = ROOT / (module.replace(".", "/") + ".py")
            assert path.exists(), name
            assert f"{attr} =" in path.read_text(), name
        if "celery" in words:
            app = words[words.index("-A") + 1]
            assert (ROOT / app / "celery.py").exists(), name
            assert words[words.index("-A") + 2] in {"worker", "beat"}, name
        if "manage.py" in words:
            sub = words[words.index("manage.py") + 1]
            assert sub in {"migrate", "collectstatic"}, name


def test_redis_never_evicts_broker_keys():
    assert "noeviction" in compose()["services"]["redis"]["command"]


def test_the_celery_app_loads_from_the_compose_command():
    result = subprocess.run(
        [sys.executable, "-c", "from fii.celery import app; print(app.main)"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={**os.environ},
    )
    assert result.stdout.strip() == "fii"


def test_env_example_documents_every_variable_settings_reads():
    settings_text = (ROOT / "fii" / "settings.py").read_text()
    documented = {
        line.split("=", 1)[0].strip()
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    import re

    read = set(re.findall(r'env(?:_bool|_list)?\("([A-Z_]+)"', settings_text))
    assert read - documented == set()


def test_the_production_settings_pass_the_deploy_check_at_warning_level(tmp_path):
    import secrets

    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "fii.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_embedded_default_is_not_mistaken_for_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    # Without a SECRET_KEY the insecure embedded key and cookie settings are reported.
    assert result.returncode != 0
    assert "fii.W001" in result.stdout + result.stderr
