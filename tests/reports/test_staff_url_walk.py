"""STAFF walks every URL rule of the app and never sees a cost or budget figure (SPEC §2).

The demo tenant is seeded (a year of costs, budgets, servers, SRs, schedules), every template's
report is built, and then every rule of app.url_map is called as STAFF with every method it
allows, its <int:...> parts filled with the tenant's real ids, with and without query strings and
bodies that ask for cost data.  No successful answer — page, fragment, JSON, Excel (cell text) or
PDF (pdftotext) — may contain one of the seeded cost or budget amounts, either as the app formats
money (₩1,234,000 / 1,234,000) or as a raw number (1234000, as JSON has it).
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.demo import seed_demo
from webapp.extensions import db
from webapp.jobs import wait_for_embedded_jobs
from webapp.models import ApiToken, Budget, CostEntry, CostMonthlyTotal, Report, ServiceRequest, Tenant, User, utcnow
from webapp.models.schedules import EmailDelivery, ReportSchedule, ScheduleRun
from webapp.reports.periods import today_in
from webapp.reports.registry import TEMPLATES
from webapp.reports.service import build_report, default_period, last_complete_period
from webapp.schedules import links
from webapp.schedules.service import next_run_after

from .helpers import pdf_text, workbook

STAFF_PASSWORD = "demo-staff-1234"
SMALLEST_FIGURE = Decimal("100000")  # smaller numbers (counts, hours, ids) are not distinctive enough to search for
SR_TEMPLATES = ("weekly_ops", "monthly_sla", "incident_rca")
COST_TEMPLATES = ("capacity_plan", "monthly_cost")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


# --- the data -------------------------------------------------------------------------------------


def build_every_report(tenant: Tenant, pm: User) -> dict[str, list[int]]:
    """One DONE report per template and format (default period), built here and now; {template: [ids]}."""
    today = today_in(tenant.timezone)
    built: dict[str, list[int]] = {}
    for code, template in TEMPLATES.items():
        # the cost report of the previous (whole) month; the others over their default period
        start, end = last_complete_period(code, today) if code == "monthly_cost" else default_period(code, today)
        for fmt in template.formats:
            report = Report(
                tenant_id=tenant.id,
                template=code,
                period_start=start,
                period_end=end,
                format=fmt,
                status="QUEUED",
                generated_by_id=pm.id,
            )
            db.session.add(report)
            db.session.commit()
            done = build_report(report.id)
            assert done.status == "DONE", done.error
            built.setdefault(code, []).append(done.id)
    return built


def add_schedules_with_history(tenant: Tenant, pm: User, reports: dict[str, list[int]]) -> list[int]:
    """Schedules of the cost templates besides the demo ones, each with a finished run and its e-mail."""
    for code in COST_TEMPLATES:
        schedule = ReportSchedule(
            tenant_id=tenant.id,
            name=f"walk {code}",
            template=code,
            cron="0 8 1 * *",
            timezone=tenant.timezone,
            format="excel",
            recipients=["cfo@demo.example.kr"],
            owner_id=pm.id,
        )
        schedule.next_run_at = next_run_after(schedule)
        db.session.add(schedule)
    db.session.commit()
    schedules = db.session.scalars(select(ReportSchedule).where(ReportSchedule.tenant_id == tenant.id)).all()
    for schedule in schedules:
        report_id = reports[schedule.template][0]
        db.session.execute(Report.__table__.update().where(Report.id == report_id).values(schedule_id=schedule.id))
        run = ScheduleRun(
            tenant_id=tenant.id,
            schedule_id=schedule.id,
            scheduled_for=utcnow(),
            trigger="CRON",
            status="DONE",
            report_id=report_id,
            finished_at=utcnow(),
        )
        db.session.add(run)
        db.session.flush()
        db.session.add(
            EmailDelivery(
                tenant_id=tenant.id,
                run_id=run.id,
                report_id=report_id,
                kind="LINK",
                recipient=schedule.recipients[0],
                status="SENT",
                attempts=1,
                sent_at=utcnow(),
            )
        )
    db.session.commit()
    return [s.id for s in schedules]


def forbidden_figures(tenant_id: int) -> set[Decimal]:
    """Every cost and budget amount a person could read off the FinOps pages and cost reports.

    The entries themselves, the month totals, per service, per category, per service × category,
    the server + storage sums of the capacity report, and every budget.
    """
    T = CostMonthlyTotal
    mine = T.tenant_id == tenant_id
    queries = [
        select(CostEntry.amount).where(CostEntry.tenant_id == tenant_id),
        select(T.amount).where(mine),
        select(func.sum(T.amount)).where(mine).group_by(T.year, T.month),
        select(func.sum(T.amount)).where(mine).group_by(T.year, T.month, T.service),
        select(func.sum(T.amount)).where(mine).group_by(T.year, T.month, T.category),
        select(func.sum(T.amount)).where(mine, T.category.in_(("SERVER", "STORAGE"))).group_by(T.year, T.month),
        select(Budget.amount).where(Budget.tenant_id == tenant_id),
    ]
    figures = set()
    for query in queries:
        for (amount,) in db.session.execute(query):
            amount = Decimal(str(amount))
            if amount >= SMALLEST_FIGURE:
                figures.add(amount)
    return figures


class FigureFinder:
    """Finds seeded amounts in text, as the app writes money (grouped) and as JSON/Excel write numbers (raw)."""

    def __init__(self, figures: set[Decimal]):
        raw = sorted({self._raw(f) for f in figures}, key=len, reverse=True)
        grouped = sorted({self._grouped(f) for f in figures}, key=len, reverse=True)
        # A raw number must not touch other digits, letters (hex hashes, tokens) or separators on its left.
        self.raw = re.compile(r"(?<![\w.,])(" + "|".join(map(re.escape, raw)) + r")(?!\w|,\d)")
        self.grouped = re.compile(r"(?<![\d,.])(" + "|".join(map(re.escape, grouped)) + r")(?!\d|,\d)")

    @staticmethod
    def _raw(amount: Decimal) -> str:
        """1234000 or 1234000.5 (what JSON and Excel cells hold)."""
        return f"{amount.normalize():f}"

    @staticmethod
    def _grouped(amount: Decimal) -> str:
        """1,234,000 (inside ₩1,234,000 or 1,234,000원)."""
        return f"{amount:,.0f}" if amount == amount.to_integral() else f"{amount:,.2f}"

    def find(self, text: str) -> list[str]:
        """The figures found in the text."""
        return sorted({m.group(1) for m in self.raw.finditer(text)} | {m.group(1) for m in self.grouped.finditer(text)})


def readable_text(response) -> str:
    """What a person or a client reads from a response: page or JSON text, workbook cell text, PDF text."""
    content_type = response.mimetype or ""
    body = response.get_data()
    if body.startswith(b"%PDF"):
        return pdf_text(body)
    if body.startswith(b"PK") or "spreadsheetml" in content_type:
        book = workbook(body)
        cells = []
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, float) and value.is_integer():
                        value = int(value)
                    if value is not None:
                        cells.append(str(value))
        return "\n".join(cells)
    return body.decode("utf-8", errors="replace")


# --- the walk -------------------------------------------------------------------------------------


class StaffWalker:
    """Calls URLs as the demo STAFF: pages with the signed-in session, the API with a bearer token (as integrations do).

    The API goes through a second client without the session cookie: a session caller would need the CSRF token.
    """

    def __init__(self, client, db, tenant: Tenant, staff: User):
        self.client, self.db, self.tenant, self.staff = client, db, tenant, staff
        self.api_client = client.application.test_client()
        self.calls = 0
        self.reached: list[str] = []  # the calls that were answered 2xx or 3xx
        self._token = None
        self.sign_in()

    def sign_in(self) -> None:
        """Sign in through the form (again after a rule such as /logout ended the session)."""
        response = self.client.post(
            "/login", data={"tenant": self.tenant.slug, "username": self.staff.username, "password": STAFF_PASSWORD}
        )
        assert response.status_code == 302, "STAFF could not sign in"

    def bearer(self) -> dict:
        """A working API token of STAFF (issued again when a walked rule revoked it)."""
        if self._token is None or self.db.session.get(ApiToken, self._token[0]).revoked_at is not None:
            token, raw = ApiToken.issue(self.staff, "walk")
            self.db.session.commit()
            self._token = (token.id, raw)
        return {"Authorization": f"Bearer {self._token[1]}"}

    def still_signed_in(self) -> bool:
        """True while the browser session is alive."""
        return self.client.get("/api/me").status_code == 200

    def call(self, method: str, url: str, body: dict | None = None, headers: dict | None = None):
        """One request as STAFF; afterwards the session is restored if the request ended it."""
        kwargs = {"headers": dict(headers or {})}
        client = self.client
        if url.startswith("/api/"):
            client = self.api_client
            kwargs["headers"].update(self.bearer())
            if body is not None:
                kwargs["json"] = body
        elif body is not None:
            kwargs["data"] = {
                k: v if isinstance(v, str) else ",".join(v) if isinstance(v, list) else str(v) for k, v in body.items()
            }
        response = client.open(url, method=method, **kwargs)
        self.calls += 1
        if response.status_code < 400:
            self.reached.append(f"{method} {url}")
        if not self.still_signed_in():
            self.sign_in()
        return response


def url_variants(rule, ids: dict[str, list], fallback_strings: dict[str, list[str]]) -> list[str]:
    """Every URL of a rule with its arguments filled by real values (ids of the tenant's objects, template codes...)."""
    urls = [rule.rule]
    for converter_name, argument in _arguments(rule):
        values = ids.get(argument) if converter_name == "int" else fallback_strings.get(argument)
        if values is None:
            values = [1] if converter_name == "int" else ["x"]  # a rule added later still gets walked
        pattern = re.compile(r"<(?:[^<>:]+:)?" + re.escape(argument) + r">")
        urls = [pattern.sub(str(value), url, count=1) for url in urls for value in values]
    return urls


def _arguments(rule) -> list[tuple[str, str]]:
    """(converter, argument name) of each <...> part of a rule, e.g. ("int", "report_id")."""
    return [(m.group(1) or "default", m.group(2)) for m in re.finditer(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule)]


@pytest.fixture
def demo(app, db):
    """The seeded demo tenant with every report built, cost schedules with history, and the ids to walk with."""
    seed_demo(echo=lambda *_: None)
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "demo"))
    users = {u.username: u for u in db.session.scalars(select(User).where(User.tenant_id == tenant.id))}
    reports = build_every_report(tenant, users["pm"])
    schedule_ids = add_schedules_with_history(tenant, users["pm"], reports)
    spare_token, _raw = ApiToken.issue(users["staff"], "spare")  # the one the walk may revoke
    db.session.commit()
    today = today_in(tenant.timezone)
    return {
        "tenant": tenant,
        "users": users,
        "reports": reports,
        "today": today,
        "ids": {
            "report_id": [rid for ids in reports.values() for rid in ids],
            "schedule_id": schedule_ids,
            "cost_id": list(db.session.scalars(select(CostEntry.id).where(CostEntry.tenant_id == tenant.id).limit(2))),
            "budget_id": list(db.session.scalars(select(Budget.id).where(Budget.tenant_id == tenant.id).limit(2))),
            "user_id": [u.id for u in users.values()],
            "token_id": [spare_token.id],
            "sr_id": list(db.session.scalars(select(ServiceRequest.id).where(ServiceRequest.tenant_id == tenant.id).limit(2))),
        },
        "strings": {
            "template_code": list(TEMPLATES),
            # the signed link of an SR report: links are for the recipients a manager chose (not STAFF's to open)
            "token": [links.make_token(db.session.get(Report, reports["weekly_ops"][0]))],
            "key": ["nothing-here.eml"],
        },
        "figures": forbidden_figures(tenant.id),
    }


def cost_seeking_inputs(today: date) -> tuple[list[str], list[dict]]:
    """Query strings and bodies that ask for cost data (this month and last, every cost template)."""
    month_start = today.replace(day=1)
    queries = [
        "",
        "?"
        + "&".join(
            [
                f"year={today.year}",
                f"month={today.month}",
                "template=monthly_cost",
                f"start={month_start.isoformat()}",
                f"end={today.isoformat()}",
                "service=ALL",
            ]
        ),
    ]
    common = {
        "year": today.year,
        "month": today.month,
        "category": "SERVER",
        "service": "ALL",
        "amount": "1000",
        "period": "custom",
        "period_start": month_start.isoformat(),
        "period_end": today.isoformat(),
        "format": "excel",
        "cron": "0 9 * * 1",
        "timezone": "Asia/Seoul",
        "email": "walk@example.kr",
        "recipients": ["walk@example.kr"],
        "wait": 10,
    }
    bodies = [{}] + [{**common, "template": code} for code in (*COST_TEMPLATES, "weekly_ops")]
    return queries, bodies


def test_staff_walking_every_url_never_sees_a_cost_or_budget_figure(app, client, db, demo):
    finder = FigureFinder(demo["figures"])
    assert len(demo["figures"]) > 500  # a year of seeded costs and budgets to look for
    staff = demo["users"]["staff"]
    walker = StaffWalker(client, db, demo["tenant"], staff)
    queries, bodies = cost_seeking_inputs(demo["today"])
    leaks = []
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    for rule in sorted(rules, key=lambda r: (r.rule == "/logout", r.rule)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for url in url_variants(rule, demo["ids"], demo["strings"]):
                requests = (
                    [(q, None, h) for q in queries for h in ({}, {"HX-Request": "true"})]
                    if method == "GET"
                    else [("", body, {}) for body in bodies]
                )
                for query, body, headers in requests:
                    response = walker.call(method, url + query, body, headers)
                    if 200 <= response.status_code < 300 and (found := finder.find(readable_text(response))):
                        leaks.append(
                            f"{method} {url}{query} {body and body.get('template')} → {response.status_code}: {found[:5]}"
                        )
    wait_for_embedded_jobs(timeout=120)
    assert leaks == []
    assert walker.calls > 300, walker.calls
    print(f"{walker.calls} calls, {len(walker.reached)} answered below 400")
    # The walk reached what STAFF may use: SR report files, the signed link, the report list.
    for expected in [
        f"GET /reports/{demo['reports']['weekly_ops'][0]}/download",
        f"GET /api/auto-report/{demo['reports']['incident_rca'][0]}/download",
        f"GET /r/{demo['strings']['token'][0]}",
        "GET /api/auto-report/list",
        "GET /reports/",
        "POST /api/auto-report/generate",
        "POST /reports/",
    ]:
        assert expected in walker.reached


def test_the_walk_would_see_the_figures_of_a_manager(app, client, db, demo):
    """The detector itself: the same checks flag what PM legitimately sees (so a leak to STAFF could not hide)."""
    finder = FigureFinder(demo["figures"])
    client.post("/login", data={"tenant": "demo", "username": "pm", "password": "demo-pm-1234"})
    today = demo["today"]
    cost_report_files = demo["reports"]["monthly_cost"] + demo["reports"]["capacity_plan"]
    for url in [
        "/dashboard",
        "/costs/",
        "/budgets/",
        f"/api/finops/summary?year={today.year}&month={today.month}",
        "/reports/print/monthly_cost",
        *[f"/reports/{rid}/download" for rid in cost_report_files],
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert finder.find(readable_text(response)), f"no cost figure found in {url}"


def test_staff_lists_generates_and_downloads_the_sr_reports(client, db, demo):
    walker = StaffWalker(client, db, demo["tenant"], demo["users"]["staff"])
    finder = FigureFinder(demo["figures"])
    start, end = demo["today"].replace(day=1), demo["today"]
    for code in SR_TEMPLATES:
        for fmt in TEMPLATES[code].formats:
            response = walker.call(
                "POST",
                "/api/auto-report/generate",
                {"template": code, "format": fmt, "wait": 30, "period_start": start.isoformat(), "period_end": end.isoformat()},
            )
            body = response.get_json()
            assert response.status_code == 200 and body["status"] == "DONE", body
            assert body["data_summary"]["sr_total"] >= 0
            listed = [r["id"] for r in walker.call("GET", "/api/auto-report/list").get_json()]
            assert body["report_id"] in listed
            for url in (f"/api/auto-report/{body['report_id']}/download", f"/reports/{body['report_id']}/download"):
                download = walker.call("GET", url)
                assert download.status_code == 200 and download.data[:4] in (b"%PDF", b"PK\x03\x04")
                assert not finder.find(readable_text(download))
    page = walker.call("POST", "/reports/", {"template": "monthly_sla", "period": "default", "format": "pdf"})
    assert page.status_code == 302
    wait_for_embedded_jobs(timeout=60)
    newest = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert (newest.template, newest.status, newest.generated_by_id) == ("monthly_sla", "DONE", demo["users"]["staff"].id)
    assert io.BytesIO(walker.call("GET", f"/reports/{newest.id}/download").data).read(4) == b"%PDF"
