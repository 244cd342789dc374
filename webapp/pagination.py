"""Pagination, the one way: pages for people (?page=, numbered) and one API convention.

Pages: `paginate(select)` → Flask-SQLAlchemy's Pagination (items, page, pages, total,
has_prev/has_next…) for the `pager` macro; a page past the end shows the last page.
API: `?page=&per_page=` (and the older `?limit=&offset=` where an endpoint had them) read by
`api_window()`; the answer carries `page, per_page, total, pages` — in the body when the body is
an object, in X-Total-Count / X-Page / X-Per-Page / X-Total-Pages headers when it is a list.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from flask import request
from flask_babel import gettext as _
from sqlalchemy import func, select

from .extensions import db
from .validation import FieldErrors

PAGE_SIZE = 25
PAGE_MAX = 1_000_000
API_PER_PAGE = 100
API_PER_PAGE_MAX = 1000


def page_number(args: Mapping | None = None) -> int:
    """?page= as a page number from 1; anything else is page 1 (a person's link, not an API call)."""
    raw = (args if args is not None else request.args).get("page", "")
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return min(max(int(text), 1), PAGE_MAX)


def paginate(query, per_page: int = PAGE_SIZE, page: int | None = None):
    """One page of a SELECT for a page; past the last page shows the last page."""
    page = page or page_number()
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if page > 1 and not result.items and result.total:
        result = db.paginate(query, page=max(result.pages, 1), per_page=per_page, error_out=False)
    return result


@dataclass(frozen=True)
class ApiWindow:
    """Which rows an API call asked for."""

    page: int
    per_page: int
    offset: int


def _whole(args: Mapping, name: str, low: int, high: int, default: int) -> int:
    """A whole-number query argument within [low, high], or a 400 naming it."""
    raw = args.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise FieldErrors(
            {name: _("%(name)s: must be a whole number from %(low)s to %(high)s.", name=name, low=low, high=high)}, 400
        )
    return int(text)


def api_window(
    args: Mapping | None = None, default: int = API_PER_PAGE, maximum: int = API_PER_PAGE_MAX, legacy: bool = False
) -> ApiWindow:
    """?page=&per_page= (or, where `legacy`, ?limit=&offset=) checked; bad values are a 400 naming the field."""
    args = args if args is not None else request.args
    if legacy and ("limit" in args or "offset" in args):
        limit = _whole(args, "limit", 1, maximum, default)
        offset = _whole(args, "offset", 0, 10**9, 0)
        return ApiWindow(page=offset // limit + 1, per_page=limit, offset=offset)
    per_page = _whole(args, "per_page", 1, maximum, default)
    page = _whole(args, "page", 1, PAGE_MAX, 1)
    return ApiWindow(page=page, per_page=per_page, offset=(page - 1) * per_page)


def api_page(query, window: ApiWindow) -> tuple[list, dict]:
    """The rows of the window and the page facts {page, per_page, total, pages} (total counted in SQL)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(window.per_page).offset(window.offset)).all()
    return list(items), page_facts(total, window)


def page_facts(total: int, window: ApiWindow) -> dict:
    """{page, per_page, total, pages} for an API answer."""
    return {
        "page": window.page,
        "per_page": window.per_page,
        "total": int(total),
        "pages": max(1, math.ceil(int(total) / window.per_page)),
    }


def page_headers(facts: Mapping) -> dict[str, str]:
    """The page facts as headers, for answers whose body is a JSON list."""
    return {
        "X-Total-Count": str(facts["total"]),
        "X-Page": str(facts["page"]),
        "X-Per-Page": str(facts["per_page"]),
        "X-Total-Pages": str(facts["pages"]),
    }
