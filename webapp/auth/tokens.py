"""Bearer API tokens: finding the user behind an Authorization header."""

from __future__ import annotations

from datetime import timedelta

from flask import g, request
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, hash_token, utcnow


def user_from_bearer_token():
    """Return the active user of a valid, unrevoked bearer token on an /api/ request, else None."""
    if not request.path.startswith("/api/"):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw.strip())))
    if token is None or token.is_revoked or not token.user.is_active:
        return None
    now = utcnow()
    # Touch last_used_at at most once a minute so reads stay cheap.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.commit()
    g.api_token_id = token.id
    return token.user
