"""Settings from the environment, with embedded defaults (SQLite, in-process jobs, file outbox)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))


def _flag(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Make plain postgres:// URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        instance_path.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


class Config:
    """Every setting the app reads; each one can be set by an environment variable of the same name."""

    def __init__(self) -> None:
        instance = INSTANCE_PATH
        self.SECRET_KEY = _secret_key(instance)
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'app.db'}"))
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.RQ_QUEUE = os.environ.get("RQ_QUEUE", "default")
        self.REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "5"))
        self.JOB_TIMEOUT = int(os.environ.get("JOB_TIMEOUT", "600"))
        self.EMBEDDED_WORKERS = int(os.environ.get("EMBEDDED_WORKERS", "2"))
        self.REPORT_JOB_TIMEOUT = int(os.environ["REPORT_JOB_TIMEOUT"]) if os.environ.get("REPORT_JOB_TIMEOUT") else None
        self.REPORT_SWEEP_GRACE = int(os.environ.get("REPORT_SWEEP_GRACE", "30"))

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE")
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        # Remember-me lasts at most 30 days (SPEC §8); the server-side session row ends with it.
        self.REMEMBER_COOKIE_DURATION = timedelta(days=min(30, max(1, int(os.environ.get("REMEMBER_COOKIE_DAYS", "30")))))
        self.SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "480"))
        self.WTF_CSRF_HEADERS = ["X-CSRFToken"]
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

        self.PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per 15 minutes")
        self.LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "30 per 15 minutes")
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed: without this, behind
        # a proxy every visitor has the proxy's address and the per-address limits would lock out everyone.
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", self.REDIS_URL or "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True
        # Redis down must not stop sign-in: count in this process meanwhile (Flask-Limiter logs a warning).
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_STORAGE_OPTIONS = (
            {"socket_connect_timeout": 2, "socket_timeout": 2}
            if self.RATELIMIT_STORAGE_URI.startswith(("redis", "rediss", "valkey"))
            else {}
        )

        self.BABEL_DEFAULT_LOCALE = "ko"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Seoul"
        self.LANGUAGES = ["ko", "en"]
        self.DEFAULT_TENANT_SLUG = os.environ.get("DEFAULT_TENANT_SLUG", "demo")

        # Mail: SMTP when MAIL_SERVER is set, otherwise files in instance/outbox/.
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = _flag("MAIL_USE_TLS")
        self.MAIL_USE_SSL = _flag("MAIL_USE_SSL")
        self.MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "IT Cost & Report Center <noreply@localhost>")
        self.MAIL_FILE_PATH = os.environ.get("MAIL_FILE_PATH", str(instance / "outbox"))
        self.MAIL_BACKEND = "smtp" if self.MAIL_SERVER else "file"

        self.BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
        self.REPORT_LINK_MAX_AGE_DAYS = int(os.environ.get("REPORT_LINK_MAX_AGE_DAYS", "7"))
        self.SCHEDULER_EMBEDDED = _flag("SCHEDULER_EMBEDDED", default=self.REDIS_URL is None)
        self.SCHEDULER_INTERVAL = int(os.environ.get("SCHEDULER_INTERVAL", "30"))
        self.MAIL_RETRY_INTERVALS = [
            int(s) for s in os.environ.get("MAIL_RETRY_INTERVALS", "60,300,1800").split(",") if s.strip()
        ]
        self.OLLAMA_URL = os.environ.get("OLLAMA_URL", "http://127.0.0.1:11434")
        self.OLLAMA_MODEL = os.environ.get("OLLAMA_MODEL", "llama3")
        self.OLLAMA_TIMEOUT = float(os.environ.get("OLLAMA_TIMEOUT", "15"))
        # AI advice: "ollama" (POST {url}/api/generate), "openai" (an OpenAI-compatible server on premises,
        # POST {url}/v1/chat/completions, as vLLM and llama.cpp serve) or "none" (rule-based tips only).
        # LLM_URL, LLM_MODEL and LLM_TIMEOUT default to the OLLAMA_* values (read in webapp/advice/client.py).
        self.LLM_PROVIDER = os.environ.get("LLM_PROVIDER", "ollama").strip().lower()
        self.LLM_URL = os.environ.get("LLM_URL") or None
        self.LLM_MODEL = os.environ.get("LLM_MODEL") or None
        self.LLM_TIMEOUT = float(os.environ["LLM_TIMEOUT"]) if os.environ.get("LLM_TIMEOUT") else None
        self.LLM_API_KEY = os.environ.get("LLM_API_KEY") or None

    def as_dict(self) -> dict:
        """All settings as a plain mapping for app.config.from_mapping."""
        return {k: v for k, v in vars(self).items() if k.isupper()}
