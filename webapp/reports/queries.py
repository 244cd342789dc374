"""The report list, the one way: the page, the API and anything else that lists a tenant's reports use it.

Which reports: the user's tenant, only templates the user may read (reports/access.py), optionally one
template, newest first. The page gets numbered pages; the API gets a window (?page=&per_page=, or the
older ?limit=&offset=) and a total that counts the same rows it lists.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from sqlalchemy import select

from ..extensions import db
from ..models import REPORT_STATUSES, Report
from ..models.schedules import EmailDelivery
from ..pagination import ApiWindow, api_page, api_window, paginate
from .access import readable_templates

PAGE_SIZE = 20  # rows per page on the report page
API_PER_PAGE, API_PER_PAGE_MAX = 100, 500  # the API's default and largest page (also the old limit's)
OFFSET_MAX = 10**9


def reports_query(user, template: str | None = None, status: str | None = None):
    """SELECT of the reports the user may read in their tenant (one template / status when given), newest first."""
    query = select(Report).where(Report.tenant_id == user.tenant_id, Report.template.in_(readable_templates(user)))
    if template:
        query = query.where(Report.template == template)
    if status:
        query = query.where(Report.status == status)
    return query.order_by(Report.created_at.desc(), Report.id.desc())


def report_page(user, page: int | None = None, template: str | None = None, status: str | None = None):
    """One numbered page of the list for the report page (past the end: the last page)."""
    return paginate(reports_query(user, template, status), per_page=PAGE_SIZE, page=page)


def list_filters(args: Mapping, user) -> dict:
    """The report list's filters from the query string (?list_template=&list_status=); unknown values mean "all"."""
    template = args.get("list_template") or None
    status = args.get("list_status") or None
    return {
        "template": template if template in readable_templates(user) else None,
        "status": status if status in REPORT_STATUSES else None,
    }


def recipients_of(report_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The addresses each report's link was e-mailed to (or is being sent to): {report id: [(address, status)]}."""
    found: dict[int, list[tuple[str, str]]] = {}
    if not report_ids:
        return found
    rows = db.session.execute(
        select(EmailDelivery.report_id, EmailDelivery.recipient, EmailDelivery.status)
        .where(EmailDelivery.report_id.in_(report_ids), EmailDelivery.kind == "LINK")
        .order_by(EmailDelivery.report_id, EmailDelivery.recipient)
    )
    for report_id, recipient, status in rows:
        found.setdefault(report_id, []).append((recipient, status))
    return found


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
