"""docker-compose.yml, the Dockerfile and .env.example agree with the code.

No Docker engine runs on CI, so this reads the files and checks what each service would run.
"""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _command(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return shlex.split(command) if isinstance(command, str) else command


def test_compose_has_the_production_services():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "beat", "proxy"}
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert SERVICES["redis"]["image"].startswith("redis:")


@pytest.mark.parametrize("service", ["db", "redis", "web", "worker", "beat", "proxy"])
def test_every_long_running_service_has_a_health_check(service):
    assert SERVICES[service]["healthcheck"]["test"]


def test_data_lives_in_named_volumes():
    assert {"pgdata", "redisdata", "media"} <= set(COMPOSE["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    for service in ("web", "worker"):
        assert "media:/app/media" in SERVICES[service]["volumes"]


def test_app_services_wait_for_healthy_database_redis_and_migrations():
    for service in ("web", "worker", "beat"):
        deps = SERVICES[service]["depends_on"]
        assert deps["db"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
        assert deps["migrate"]["condition"] == "service_completed_successfully"
    assert _command("migrate")[:3] == ["python", "manage.py", "migrate"]


def test_web_runs_gunicorn_on_the_wsgi_application_that_exists():
    command = _command("web")
    assert command[0] == "gunicorn"
    module, attr = command[1].split(":")
    assert importlib.util.find_spec(module) is not None
    assert re.search(rf"^{attr} = ", (ROOT / "stp_portal/wsgi.py").read_text(), re.M)


@pytest.mark.parametrize(("service", "sub"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_point_at_the_celery_app_of_the_code(service, sub):
    command = _command(service)
    assert command[:2] == ["celery", "-A"]
    assert command[3] == sub
    module = importlib.import_module(command[2])
    from celery import Celery

    assert isinstance(module.celery_app, Celery)


def test_app_services_use_the_production_settings_module_that_exists():
    for service in ("migrate", "web", "worker", "beat"):
        env = SERVICES[service]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "stp_portal.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:")
    assert importlib.util.find_spec("stp_portal.settings.production") is not None


def test_dockerfile_installs_the_pinned_requirements_and_serves_the_same_wsgi_app():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/base.txt" in dockerfile
    assert "stp_portal.wsgi:application" in dockerfile
    assert "collectstatic" in dockerfile


def test_every_setting_read_from_the_environment_is_documented_in_env_example():
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    read = set()
    for path in (ROOT / "stp_portal/settings").glob("*.py"):
        read |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', path.read_text()))
    assert read, "no env() calls found: the pattern is stale"
    assert read - documented == set()


def test_pinned_requirements_cover_every_declared_dependency():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = (ROOT / "requirements/base.txt").read_text().lower()
    dev = (ROOT / "requirements/dev.txt").read_text().lower()
    wanted = [(r, base) for r in project["dependencies"]] + [
        (r, dev) for r in project["dependencies"] + project["optional-dependencies"]["dev"]
    ]
    for requirement, pinned in wanted:
        name = re.split(r"[<>=\[ ]", requirement, maxsplit=1)[0].lower()
        assert re.search(rf"^{re.escape(name)}==\S+ \\$", pinned, re.M), name
    assert "--hash=sha256:" in base
