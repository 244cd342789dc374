"""Notices as a domain: tell a user once, list what is unread, dismiss."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import Notice, utcnow
from ..schedules.sql import insert_on_conflict

log = logging.getLogger(__name__)

BANNER_LIMIT = 3  # unread notices shown on every page; the rest are on the notices page


def notify(tenant_id: int, user_id: int, kind: str, message: str, link: str | None = None, key: str | None = None) -> int | None:
    """Store a notice for the user (committed); with a `key`, the same event is told only once. Returns its id, or None."""
    table = Notice.__table__
    row = {
        "tenant_id": tenant_id,
        "user_id": user_id,
        "kind": kind,
        "message": message[:2000],
        "link": link,
        "key": key,
        "created_at": utcnow(),
    }
    inserted = db.session.execute(insert_on_conflict(table).values(row).on_conflict_do_nothing().returning(table.c.id)).first()
    db.session.commit()
    return inserted[0] if inserted else None


def path_for(endpoint: str, **values) -> str:
    """The site path of an endpoint, also outside a request (jobs and the scheduler have none)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def unread_notices(user) -> tuple[list[Notice], int]:
    """The user's newest unread notices (at most BANNER_LIMIT) and how many are unread in all.

    Shown on every page, error pages included: a database problem here must not break the page.
    """
    try:
        mine = (Notice.user_id == user.id) & (Notice.tenant_id == user.tenant_id) & Notice.read_at.is_(None)
        count = db.session.scalar(select(func.count()).select_from(Notice).where(mine)) or 0
        if not count:
            return [], 0
        newest = db.session.scalars(
            select(Notice).where(mine).order_by(Notice.created_at.desc(), Notice.id.desc()).limit(BANNER_LIMIT)
        ).all()
        return list(newest), count
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("notices could not be read", exc_info=True)
        return [], 0


def user_notices(user):
    """Every notice of the user, newest first (a query for pagination)."""
    return (
        select(Notice)
        .where(Notice.user_id == user.id, Notice.tenant_id == user.tenant_id)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
    )


def dismiss(user, notice_id: int | None = None) -> int:
    """Mark one notice (or, without an id, all of them) of the user as read; returns how many changed."""
    query = update(Notice).where(Notice.user_id == user.id, Notice.tenant_id == user.tenant_id, Notice.read_at.is_(None))
    if notice_id is not None:
        query = query.where(Notice.id == notice_id)
    changed = db.session.execute(query.values(read_at=utcnow())).rowcount
    db.session.commit()
    return changed
