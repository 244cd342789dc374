"""The embedded-mode outbox: e-mails written as files by Flask-Mailman's file backend, read back for admins."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask import current_app

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
FILE_NAME = re.compile(r"^[\w.-]+\.log$")


@dataclass
class OutboxMessage:
    """One e-mail found in the outbox."""

    key: str  # "<file name>:<index in the file>"
    subject: str
    to: str
    sender: str
    date: datetime | None
    tenant: str
    text: str
    html: str | None


def outbox_folder() -> Path:
    """Where the file backend writes (MAIL_FILE_PATH)."""
    return Path(current_app.config["MAIL_FILE_PATH"])


def _parse(key: str, raw: bytes) -> OutboxMessage:
    """Read one stored message."""
    message = email.message_from_bytes(raw.strip(b"\n"), policy=email.policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    try:
        sent = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        sent = None
    return OutboxMessage(
        key=key,
        subject=str(message["Subject"] or ""),
        to=str(message["To"] or ""),
        sender=str(message["From"] or ""),
        date=sent.astimezone(UTC) if sent else None,
        tenant=str(message["X-Tenant"] or ""),
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else None,
    )


def _messages_in(path: Path) -> list[OutboxMessage]:
    """Every message of one outbox file (one connection may have written several)."""
    chunks = [chunk for chunk in path.read_bytes().split(SEPARATOR) if chunk.strip()]
    return [_parse(f"{path.name}:{index}", chunk) for index, chunk in enumerate(chunks)]


def list_messages(tenant_slug: str | None = None, limit: int = 200) -> list[OutboxMessage]:
    """The newest messages first, only the tenant's when a slug is given."""
    folder = outbox_folder()
    if not folder.is_dir():
        return []
    found: list[OutboxMessage] = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        for message in _messages_in(path):
            if tenant_slug is None or message.tenant == tenant_slug:
                found.append(message)
        if len(found) >= limit:
            break
    found.sort(key=lambda m: m.date or datetime.min.replace(tzinfo=UTC), reverse=True)
    return found[:limit]


def read_message(key: str, tenant_slug: str | None = None) -> OutboxMessage | None:
    """One message by key, or None (also for another tenant's message or a malformed key)."""
    name, _colon, index = key.partition(":")
    if not FILE_NAME.match(name) or not index.isdigit():
        return None
    path = outbox_folder() / name
    if not path.is_file():
        return None
    messages = _messages_in(path)
    if int(index) >= len(messages):
        return None
    message = messages[int(index)]
    if tenant_slug is not None and message.tenant != tenant_slug:
        return None
    return message
