"""The report list, the one way: the page, the API and anything else that lists a tenant's reports use it.

Which reports: the user's tenant, only templates the user may read (reports/access.py), optionally one
template, newest first. The page gets numbered pages; the API gets a window (?page=&per_page=, or the
older ?limit=&offset=) and a total that counts the same rows it lists.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from sqlalchemy import select

from ..models import Report
from ..pagination import ApiWindow, api_page, api_window, paginate
from .access import readable_templates

PAGE_SIZE = 20  # rows per page on the report page
API_PER_PAGE, API_PER_PAGE_MAX = 100, 500  # the API's default and largest page (also the old limit's)
OFFSET_MAX = 10**9


def reports_query(user, template: str | None = None):
    """SELECT of the reports the user may read in their tenant (one template when given), newest first."""
    query = select(Report).where(Report.tenant_id == user.tenant_id, Report.template.in_(readable_templates(user)))
    if template:
        query = query.where(Report.template == template)
    return query.order_by(Report.created_at.desc(), Report.id.desc())


def report_page(user, page: int | None = None, template: str | None = None):
    """One numbered page of the list for the report page (past the end: the last page)."""
    return paginate(reports_query(user, template), per_page=PAGE_SIZE, page=page)


def report_window(args: Mapping) -> ApiWindow:
    """The rows an API call asks for: ?page=&per_page=, or the older ?limit=&offset=; a bad value is a 400 naming it.

    The old parameters keep their old meaning for whole numbers: a limit above the largest page is the
    largest page, an offset past the end lists nothing (and digits of other scripts are digits).
    Anything else (negative, not a number) is refused, as ?page= and ?per_page= are.
    """
    legacy = {}
    for name, ceiling in (("limit", API_PER_PAGE_MAX), ("offset", OFFSET_MAX)):
        if name in args:
            text = unicodedata.normalize("NFKC", str(args.get(name))).strip()
            legacy[name] = str(min(int(text), ceiling)) if text.isascii() and text.isdigit() else args.get(name)
    merged = {**{k: args.get(k) for k in args}, **legacy}
    return api_window(merged, default=API_PER_PAGE, maximum=API_PER_PAGE_MAX, legacy=True)


def api_reports(user, window: ApiWindow, template: str | None = None) -> tuple[list[Report], dict]:
    """The window's reports and the page facts {page, per_page, total, pages}; total counts the same filter."""
    return api_page(reports_query(user, template), window)
