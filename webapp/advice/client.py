"""Clients for the on-premises LLM: Ollama's /api/generate and an OpenAI-compatible /v1/chat/completions.

Standard library only (http.client): no proxy variable is ever read, so the prompt goes to the
configured URL and nowhere else.  The whole exchange has one deadline (the timeout): connecting,
waiting for the answer and reading it all count against it.  Every failure — unreachable, slower
than the timeout, an HTTP error, a malformed or an empty answer — raises LLMUnavailable, and the
caller falls back to the rule-based tips.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from urllib.parse import urlsplit

PROVIDERS = ("ollama", "openai", "none")
PROVIDER_LABELS = {"ollama": "ollama", "openai": "openai-compatible"}
MAX_ANSWER_BYTES = 1_000_000  # a few pages of advice; anything larger is not an answer we want to keep
READ_CHUNK = 65536


class LLMUnavailable(Exception):
    """The model did not produce usable text (the message says why, for the log and the record)."""


@dataclass(frozen=True)
class LLMSettings:
    """Which server and model to ask, and how long to wait."""

    provider: str
    url: str
    model: str
    timeout: float
    api_key: str | None = None

    @classmethod
    def from_config(cls, config: Mapping) -> LLMSettings:
        """LLM_* settings, falling back to the OLLAMA_* ones (URL, model, timeout)."""
        timeout = config.get("LLM_TIMEOUT")
        return cls(
            provider=(config.get("LLM_PROVIDER") or "ollama").strip().lower(),
            url=(config.get("LLM_URL") or config.get("OLLAMA_URL") or "").rstrip("/"),
            model=config.get("LLM_MODEL") or config.get("OLLAMA_MODEL") or "llama3",
            timeout=float(timeout if timeout is not None else config.get("OLLAMA_TIMEOUT", 15)),
            api_key=config.get("LLM_API_KEY") or None,
        )

    @property
    def enabled(self) -> bool:
        """False when advice is configured to come from the rules only."""
        return self.provider in PROVIDER_LABELS

    @property
    def label(self) -> str:
        """What `llm_used` says when this model wrote the text, e.g. 'ollama/llama3'."""
        return f"{PROVIDER_LABELS.get(self.provider, self.provider)}/{self.model}"


def generate(settings: LLMSettings, prompt: str, system: str | None = None) -> str:
    """The model's answer to the prompt (stripped), or LLMUnavailable."""
    if settings.provider == "ollama":
        body = {"model": settings.model, "prompt": prompt, "stream": False}
        if system:
            body["system"] = system
        answer = _post_json(settings.url + "/api/generate", body, {}, settings.timeout)
        text = answer.get("response") if isinstance(answer, dict) else None
    elif settings.provider == "openai":
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        body = {"model": settings.model, "messages": messages, "stream": False, "temperature": 0.3}
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        answer = _post_json(settings.url + "/v1/chat/completions", body, headers, settings.timeout)
        text = _chat_content(answer)
    else:
        raise LLMUnavailable(f"LLM_PROVIDER {settings.provider!r} asks no model")
    if not isinstance(text, str) or not text.strip():
        raise LLMUnavailable("the model answered with an empty text")
    return text.strip()


def _chat_content(answer) -> str | None:
    """choices[0].message.content of an OpenAI-style chat completion, or None."""
    try:
        return answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return None


def _remaining(deadline: float) -> float:
    """Seconds left before the deadline, or LLMUnavailable once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise LLMUnavailable("no answer within the timeout")
    return left


def _post_json(url: str, body: dict, headers: dict, timeout: float):
    """POST body as JSON to url and return the decoded JSON answer, all within `timeout` seconds."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LLMUnavailable(f"LLM URL {url!r} is not an http(s) address")
    deadline = time.monotonic() + timeout
    connection_class = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(
            "POST",
            path,
            body=data,
            headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json", **headers},
        )
        sock = connection.sock  # the response reads from it even after the connection lets go of it
        sock.settimeout(_remaining(deadline))
        response = connection.getresponse()
        if response.status != 200:
            raise LLMUnavailable(f"the LLM server answered HTTP {response.status}")
        chunks, size = [], 0
        while True:
            sock.settimeout(_remaining(deadline))
            chunk = response.read1(READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise LLMUnavailable("the LLM answer is too large")
            chunks.append(chunk)
        return json.loads(b"".join(chunks).decode("utf-8"))
    except LLMUnavailable:
        raise
    except TimeoutError as exc:
        raise LLMUnavailable("no answer within the timeout") from exc
    except (OSError, HTTPException) as exc:
        raise LLMUnavailable(f"the LLM server is unreachable: {exc}") from exc
    except ValueError as exc:  # not JSON, or not UTF-8
        raise LLMUnavailable("the LLM server's answer is not JSON") from exc
    finally:
        connection.close()
