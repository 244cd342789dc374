"""A redis-server of a test's own, on a free port, that the test stops and starts again (outage drills)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

from redis import Redis


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dead_redis_url() -> str:
    """A Redis URL where nothing listens: every connection is refused, as with Redis stopped."""
    return f"redis://127.0.0.1:{free_port()}/0"


class RedisServer:
    """redis-server on loopback without persistence; stop() and start() again keep the same port (and URL)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The URL the app and the worker are given."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        """Start the server and wait until it answers PING."""
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                Redis(port=self.port, socket_connect_timeout=1).ping()
                return
            except Exception:  # noqa: BLE001 — not up yet
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (an outage); its data is gone, as after a restart without persistence."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self.process is not None and self.process.poll() is None
