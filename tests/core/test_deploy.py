"""The systemd units under deploy/ bring every process back by itself and run the same commands as the Procfile."""

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICES = ("icr-web.service", "icr-worker.service", "icr-scheduler.service")


def unit(name: str) -> configparser.ConfigParser:
    """A unit file parsed as INI (keys keep their case)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / name)
    return parser


def procfile() -> dict[str, str]:
    """The Procfile's process lines: {name: command}."""
    lines = (line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ":" in line)
    return {name.strip(): command.strip() for name, command in lines}


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_restarts_forever_as_the_app_user_with_the_env_file(name):
    service = unit(name)
    assert service["Service"]["Restart"] == "always"
    assert int(service["Service"]["RestartSec"]) > 0
    assert service["Unit"]["StartLimitIntervalSec"] == "0"  # a long Redis outage never makes systemd give up
    assert service["Service"]["EnvironmentFile"] == "/etc/icr/icr.env"
    assert service["Service"]["User"] == "icr" and service["Service"]["WorkingDirectory"] == "/opt/icr"
    assert service["Install"]["WantedBy"] == "icr.target" and service["Unit"]["PartOf"] == "icr.target"


def test_the_target_starts_all_three():
    assert unit("icr.target")["Unit"]["Wants"].split() == list(SERVICES)


@pytest.mark.parametrize(
    ("name", "process", "words"),
    [
        ("icr-web.service", "web", ["gunicorn", "wsgi:app"]),
        ("icr-worker.service", "worker", ["rq", "worker", "--with-scheduler", "--url"]),
        ("icr-scheduler.service", "scheduler", ["flask", "scheduler", "run"]),
    ],
)
def test_each_service_runs_the_procfile_command_from_the_venv(name, process, words):
    command = shlex.split(unit(name)["Service"]["ExecStart"])
    program = Path(command[0])
    assert program.parent == Path("/opt/icr/.venv/bin") and (ROOT / ".venv" / "bin" / program.name).exists()
    for line in ([program.name, *command[1:]], shlex.split(procfile()[process])):
        assert [word for word in line if word in words] == words  # the same program, sub-command and target


def test_the_example_env_file_names_every_variable_the_units_use():
    names = {
        line.split("=", 1)[0]
        for line in (DEPLOY / "icr.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert {"DATABASE_URL", "REDIS_URL", "RQ_QUEUE", "SECRET_KEY", "GUNICORN_CMD_ARGS"} <= names


def test_systemd_accepts_the_units(tmp_path):
    """systemd's own checker, with /opt/icr pointed at this checkout (its venv has the programs)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # a machine without systemd cannot check more than the tests above do
        assert not (Path("/run/systemd/system")).exists()
        return
    for name in (*SERVICES, "icr.target"):
        (tmp_path / name).write_text((DEPLOY / name).read_text().replace("/opt/icr", str(ROOT)))
    result = subprocess.run(
        [analyze, "verify", *(str(tmp_path / name) for name in ("icr.target", *SERVICES))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
