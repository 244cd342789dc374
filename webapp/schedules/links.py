"""Signed, expiring download links for one report, usable without signing in."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from ..extensions import db
from ..models import Report, utcnow

SALT = "report-download-link"
LINK_PATH = "/r/"


class LinkRefused(Exception):
    """The link cannot be used; `reason` is 'expired', 'invalid' or 'missing'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(issued_at: datetime | None = None) -> URLSafeTimedSerializer:
    """The serializer keyed by SECRET_KEY and scoped to report links by its salt (signing time settable)."""
    if issued_at is None:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)
    stamp = int(issued_at.timestamp())

    class SignedAt(TimestampSigner):
        """Signs with a given time instead of now (to issue a link as of another moment)."""

        def get_timestamp(self) -> int:
            return stamp

    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=SignedAt)


def max_age() -> timedelta:
    """How long a link stays valid (REPORT_LINK_MAX_AGE_DAYS, default 7)."""
    return timedelta(days=int(current_app.config.get("REPORT_LINK_MAX_AGE_DAYS") or 7))


def make_token(report: Report, issued_at: datetime | None = None) -> str:
    """A token naming this one report (and its file's hash, so a re-used id can never match)."""
    return _serializer(issued_at).dumps({"r": report.id, "h": (report.sha256 or "")[:16]})


def report_link(report: Report, issued_at: datetime | None = None) -> str:
    """The absolute URL recipients open (BASE_URL + /r/<token>)."""
    return current_app.config["BASE_URL"].rstrip("/") + LINK_PATH + make_token(report, issued_at)


def link_expires_at(issued_at: datetime | None = None) -> datetime:
    """When a link issued now (or at issued_at) stops working."""
    return (issued_at or utcnow()) + max_age()


def report_for_token(token: str) -> Report:
    """The DONE report a token names; LinkRefused when expired, tampered with, or the report is gone."""
    try:
        payload = _serializer().loads(token, max_age=int(max_age().total_seconds()))
    except SignatureExpired:
        raise LinkRefused("expired") from None
    except BadSignature:
        raise LinkRefused("invalid") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), int):
        raise LinkRefused("invalid")
    report = db.session.get(Report, payload["r"])
    if report is None or report.status != "DONE" or (report.sha256 or "")[:16] != payload.get("h"):
        raise LinkRefused("missing")
    return report
