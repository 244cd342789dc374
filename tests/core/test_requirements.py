"""What a production install pulls (requirements.txt) and what `make test` adds (requirements-dev.txt); `make run PORT=`."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_TOOLS = {"pytest", "playwright", "aiosmtpd", "hypothesis", "ruff"}


def pinned(path: Path) -> dict[str, str]:
    """name (lower case) → version of every pinned line of a requirements file."""
    lines = [line.strip() for line in path.read_text().splitlines()]
    return {name.lower(): version for name, _, version in (line.partition("==") for line in lines if "==" in line)}


def test_the_app_installs_without_test_tools_and_make_test_adds_them():
    run, dev = pinned(ROOT / "requirements.txt"), pinned(ROOT / "requirements-dev.txt")
    assert TEST_TOOLS.isdisjoint(run), TEST_TOOLS & set(run)
    assert TEST_TOOLS <= set(dev)
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert set(run).isdisjoint(dev)  # one pin per package
    for needed in ("flask", "gunicorn", "weasyprint", "openpyxl", "psycopg", "redis", "rq"):
        assert needed in run


def test_make_test_installs_the_dev_file_and_make_run_only_the_app_file():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: .*\$\(BIN\)/\.installed-dev\b", makefile, re.MULTILINE)
    assert "$(BIN)/.installed-dev: requirements-dev.txt $(BIN)/.installed" in makefile
    assert "pip install -q -r requirements-dev.txt" in makefile
    setup = re.search(r"^setup: (.*)$", makefile, re.MULTILINE).group(1)
    assert "run: setup" in makefile and "$(BIN)/.installed" in setup.split() and ".installed-dev" not in setup


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    "args, env, bind, base_url",
    [
        ([], {}, "127.0.0.1:5000", "http://127.0.0.1:5000"),
        (["PORT=8123"], {}, "127.0.0.1:8123", "http://127.0.0.1:8123"),
        (["PORT=8123"], {"BASE_URL": "https://icr.example.go.kr"}, "127.0.0.1:8123", "https://icr.example.go.kr"),
        (["PORT=8123", "BASE_URL=https://x.example.kr"], {}, "127.0.0.1:8123", "https://x.example.kr"),
    ],
)
def test_make_run_takes_a_port_and_sets_base_url_from_it(args, env, bind, base_url):
    environment = {"PATH": "/usr/bin:/bin", **env}
    plan = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    ).stdout
    server = next(line for line in plan.splitlines() if "gunicorn" in line)
    assert f"--bind {bind} " in server and server.startswith(f'BASE_URL="{base_url}" ')
