"""deploy/: the files an operator runs match the settings they run against.

Docker and systemd are not available here, so these read the files: the compose file's
structure, the processes of both Procfiles, the systemd units, the Dockerfile's steps, and
that deploy/.env.example names every environment variable the settings read (and is itself
a configuration the deployment checks accept).
"""

from __future__ import annotations

import ast
import configparser
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from rehab.stack import procfile_processes
from tests.conftest import fresh_environment

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / ".env.example"
VARIABLE = re.compile(r"^#?([A-Z][A-Z0-9_]*)=(.*)$")
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list", "database_config", "redis_url"}
ENV_READERS |= {"site_url", "proxy_ssl_header"}


def routed_queues() -> set[str]:
    """Every queue a task can be sent to: the default, the routes, the beat entries' options."""
    queues = {settings.CELERY_TASK_DEFAULT_QUEUE}
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    for table in routes if isinstance(routes, list | tuple) else [routes]:
        for route in table.values() if isinstance(table, dict) else []:
            if isinstance(route, dict) and route.get("queue"):
                queues.add(route["queue"])
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry.get("options", {}).get("queue"):
            queues.add(entry["options"]["queue"])
    return queues


def argv(command: str | list[str]) -> list[str]:
    if isinstance(command, list):
        if command[:2] == ["sh", "-c"]:
            return shlex.split(command[2])
        return command
    return shlex.split(command)


def is_celery(args: list[str], sub: str) -> bool:
    return any(Path(a).name == "celery" for a in args) and sub in args


def runs_beat(args: list[str]) -> bool:
    embedded = is_celery(args, "worker") and ("-B" in args or "--beat" in args)
    return is_celery(args, "beat") or embedded


def worker_queues(args: list[str]) -> set[str]:
    if not is_celery(args, "worker"):
        return set()
    queues: set[str] = set()
    for index, arg in enumerate(args):
        if arg in {"-Q", "--queues"}:
            queues.update(args[index + 1].split(","))
        elif arg.startswith("--queues="):
            queues.update(arg.split("=", 1)[1].split(","))
    return queues


def check_processes(commands: list[list[str]]) -> None:
    assert sum(runs_beat(args) for args in commands) == 1, "exactly one beat"
    served = set().union(*(worker_queues(args) for args in commands))
    missing = routed_queues() - served
    assert not missing, f"queues without a worker: {missing}"


def test_every_queue_the_settings_route_to_is_known():
    assert "default" in routed_queues()


def test_the_process_check_refuses_two_beats_and_a_queue_without_worker(settings):
    worker = argv("celery -A rehab worker -Q default")
    beat = argv("celery -A rehab beat")
    with pytest.raises(AssertionError, match="exactly one beat"):
        check_processes([worker, beat, argv("celery -A rehab worker -Q default -B")])
    with pytest.raises(AssertionError, match="exactly one beat"):
        check_processes([worker])
    settings.CELERY_TASK_ROUTES = {"rehab.notifications.tasks.*": {"queue": "notify"}}
    with pytest.raises(AssertionError, match="notify"):
        check_processes([worker, beat])
    check_processes([argv("celery -A rehab worker --queues=default,notify"), beat])


@pytest.mark.parametrize("procfile", ["Procfile", "Procfile.dev"])
def test_procfiles_run_one_beat_and_a_worker_per_queue(procfile):
    processes = procfile_processes(DEPLOY / procfile)
    commands = [argv(command.removeprefix("exec ")) for command in processes.values()]

    check_processes(commands)
    assert "web" in processes


def test_the_production_procfile_serves_with_gunicorn_and_migrates_on_release():
    processes = procfile_processes(DEPLOY / "Procfile")

    assert argv(processes["web"])[:2] == ["gunicorn", "rehab.wsgi"]
    assert "migrate --noinput" in processes["release"]
    assert "load_content" in processes["release"]


def test_the_compose_file_is_the_reference_deployment():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]

    assert {"postgres", "redis", "web", "migrate", "beat"} <= set(services)
    broker = " ".join(argv(services["redis"]["command"]))
    assert "--appendonly yes" in broker
    assert "--maxmemory-policy noeviction" in broker
    commands = [argv(s["command"]) for s in services.values() if "command" in s]
    check_processes(commands)
    beat = next(s for s in services.values() if runs_beat(argv(s.get("command", []))))
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    # The one-shot job runs to completion before anything that serves or consumes starts.
    assert services["migrate"]["restart"] == "no"
    assert "migrate --noinput" in services["migrate"]["command"][-1]
    assert "load_content" in services["migrate"]["command"][-1]
    for name, service in services.items():
        if is_celery(argv(service.get("command", [])), "worker") or name == "web":
            assert service["depends_on"]["migrate"]["condition"] == (
                "service_completed_successfully"
            )
            assert service["env_file"] == ".env"


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(path.read_text())
    return unit


def test_systemd_units_restart_read_the_env_file_and_run_one_beat():
    units = {path.name: read_unit(path) for path in (DEPLOY / "systemd").glob("*.service")}
    target = read_unit(DEPLOY / "systemd" / "rehab.target")
    wanted = target["Unit"]["Wants"].split()

    commands = []
    for name, unit in units.items():
        service = unit["Service"]
        assert service["EnvironmentFile"] == "/etc/rehab/rehab.env", name
        if service.get("Type") != "oneshot":
            assert service["Restart"] in {"always", "on-failure"}, name
        start = argv(service["ExecStart"].replace("%%h", "%h"))
        if name.endswith("@.service"):  # a template: one instance per queue in the target
            instances = [w.split("@")[1].removesuffix(".service") for w in wanted if "@" in w]
            commands += [[a.replace("%i", q) for a in start] for q in instances]
        else:
            assert name in wanted, name
            commands.append(start)
    check_processes(commands)


def settings_environment_variables() -> set[str]:
    """Names the settings read: literal first arguments of the env helpers and os.environ."""
    names = set()
    for source in [ROOT / "rehab" / "settings.py", ROOT / "rehab" / "core" / "config.py"]:
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            func = node.func
            helper = isinstance(func, ast.Name) and func.id in ENV_READERS
            environ = (
                isinstance(func, ast.Attribute)
                and func.attr == "get"
                and ast.unparse(func.value) == "os.environ"
            )
            if helper or environ:
                names.add(first.value)
    return names


def env_example() -> tuple[dict[str, str], set[str]]:
    """(variables set, every variable named with a comment above it)."""
    active: dict[str, str] = {}
    documented: set[str] = set()
    # A variable is documented by the comment right above it, or above the group of
    # variables it belongs to (no blank line between them).
    commented = False
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = VARIABLE.match(line)
        if match:
            name, value = match.groups()
            if commented:
                documented.add(name)
            if not line.startswith("#"):
                active[name] = value.strip().strip('"')
        else:
            commented = line.startswith("# ")
    return active, documented


def test_the_env_example_names_every_variable_the_settings_read_with_a_comment():
    read = settings_environment_variables()
    _, documented = env_example()

    # Calls spread over several lines are found too (a line-based grep misses these two).
    assert {"DJANGO_ALLOWED_HOSTS", "DJANGO_SECURE_PROXY_SSL_HEADER"} <= read
    assert {"DATABASE_URL", "REDIS_URL", "VAPID_PRIVATE_KEY", "WEBPUSH_TTL"} <= read
    assert read - documented == set()


def test_the_env_example_is_a_configuration_the_deploy_checks_accept(tmp_path):
    active, _ = env_example()
    env = fresh_environment("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")
    env = {k: v for k, v in env.items() if k not in settings_environment_variables()}
    env.update(active, DJANGO_SETTINGS_MODULE="rehab.settings", REHAB_VAR_DIR=str(tmp_path))
    env["DJANGO_SECRET_KEY"] = "an-operator-would-put-fifty-random-characters-here"

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_builds_a_non_root_image_with_what_the_app_needs():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in dockerfile.splitlines() if line[:1].isupper()]

    assert instructions[0] == ["FROM", "python:3.11-slim"]
    users = [rest for word, rest in instructions if word == "USER"]
    assert users
    assert users[-1] not in {"root", "0"}
    for step in ["pip install -r requirements.txt", "collectstatic", "compilemessages"]:
        assert step in dockerfile, step
    assert "libpango-1.0-0" in dockerfile
    assert "libpangoft2-1.0-0" in dockerfile
