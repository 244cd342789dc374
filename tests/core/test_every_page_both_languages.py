"""Every page and every print template renders in Korean and in English for each role it admits.

The demo tenant is seeded, one report of each template is built, an e-mail lands in the outbox and a
month is analysed, so every <int:…> part of a page's URL gets a real id.  Then every GET rule outside
the API is called as ADMIN, PM and STAFF, once with each language:

- a role the view admits gets 200 (a redirect only where the rule is a redirect by design), a role it
  does not admit gets 403 — never a 500, so a format bug in one language cannot hide;
- an HTML answer in Korean holds no text that is still a catalogue's English msgid, and an answer in
  English holds no text that is a catalogue's Korean translation (an untranslated or hard-wired string).

A rule added later is walked too; one whose arguments this file cannot fill fails the walk until it is
taught here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from webapp.advice.service import optimize
from webapp.demo import seed_demo
from webapp.jobs import wait_for_embedded_jobs
from webapp.models import Budget, CostEntry, Report, ServiceRequest, Tenant, User
from webapp.models.advice import CostAdvice
from webapp.models.schedules import ReportSchedule
from webapp.navigation import roles_allowed
from webapp.reports.periods import today_in
from webapp.reports.registry import TEMPLATES
from webapp.reports.service import build_report, default_period
from webapp.schedules import links
from webapp.schedules.delivery import queue_deliveries
from webapp.schedules.outbox import list_messages

from ..factories import add_cost

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {"admin": "demo-admin-1234", "pm": "demo-pm-1234", "staff": "demo-staff-1234"}
LANGUAGES = ("ko", "en")
# GET rules that answer a plain (non-htmx) request with a redirect by design: the home page sends the cost roles
# to the dashboard (STAFF gets its own home page), a signed-in visitor of the sign-in page goes home, and a cost row or an analysis in progress
# exist as fragments only, so a full-page visit goes to the page that holds them
REDIRECTS = {"main.index", "auth.login", "costs.row", "main.advice_status"}
# GET rules outside the pages: static files, and the signed e-mail link (walked below with a real token)
NOT_PAGES = {"static"}
SHORTEST_MESSAGE = 4  # shorter catalogue entries ("PDF", "ID") are too common to search for


@pytest.fixture
def app_config():
    """Mail goes to files (the app fixture's outbox folder), so the admin outbox has a message to open."""
    return {"MAIL_BACKEND": "file"}


def catalogue_messages() -> tuple[set[str], set[str]]:
    """(English msgids, Korean translations) of every catalogue, where the two differ."""
    english, korean = set(), set()
    for po in sorted(ROOT.glob("webapp/**/translations/ko/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            if not message.id or not message.string or message.pluralizable:
                continue
            msgid, msgstr = str(message.id).strip(), str(message.string).strip()
            if msgid == msgstr or "%(" in msgid or len(msgid) < SHORTEST_MESSAGE:
                continue
            if re.search(r"[A-Za-z]{3}", msgid):
                english.add(msgid)
            if re.search(r"[가-힣]", msgstr):
                korean.add(msgstr)
    return english, korean


class TextNodes(HTMLParser):
    """The text a person reads: text outside <script>/<style>, and the labels of controls."""

    LABEL_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.LABEL_ATTRIBUTES and value:
                self.texts.append(value.strip())
        if tag == "input":
            attributes = dict(attrs)
            if attributes.get("type") in ("submit", "button") and attributes.get("value"):
                self.texts.append(attributes["value"].strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def texts_of(html: str) -> list[str]:
    parser = TextNodes()
    parser.feed(html)
    return parser.texts


@pytest.fixture
def demo(app, db):
    """The demo tenant with a report of every template, an e-mail in the outbox and an analysed month."""
    seed_demo(echo=lambda *_: None)
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "demo"))
    users = {u.username: u for u in db.session.scalars(select(User).where(User.tenant_id == tenant.id))}
    today = today_in(tenant.timezone)
    add_bill_lines(tenant, today.year, today.month)
    report_templates: dict[int, str] = {}
    for code, template in TEMPLATES.items():
        start, end = default_period(code, today)
        report = Report(
            tenant_id=tenant.id,
            template=code,
            period_start=start,
            period_end=end,
            format=template.formats[0],
            status="QUEUED",
            generated_by_id=users["pm"].id,
        )
        db.session.add(report)
        db.session.commit()
        assert build_report(report.id).status == "DONE"
        report_templates[report.id] = code
    sr_report = next(rid for rid, code in report_templates.items() if code == "weekly_ops")
    queue_deliveries(tenant.id, sr_report, None, ["reader@demo.example.kr"], "LINK")
    optimize(tenant, today.year, today.month, user=users["pm"])
    wait_for_embedded_jobs(timeout=60)
    messages = list_messages(tenant.slug)
    assert messages, "the outbox holds the delivered e-mail"

    batches = demo_import_batches(tenant, users["pm"].id)

    def first(model):
        return db.session.scalar(select(model.id).where(model.tenant_id == tenant.id).order_by(model.id).limit(1))

    return {
        "tenant": tenant,
        "report_templates": report_templates,
        "ids": {
            "report_id": list(report_templates),
            "schedule_id": [first(ReportSchedule)],
            "cost_id": [first(CostEntry)],
            "budget_id": [first(Budget)],
            "user_id": [users["staff"].id],
            "sr_id": [first(ServiceRequest)],
            "advice_id": [first(CostAdvice)],
            "batch_id": batches,
        },
        "strings": {
            "template_code": list(TEMPLATES),
            "token": [links.make_token(db.session.get(Report, sr_report))],
            "key": [messages[0].key],
            "kind": ["costs", "srs", "servers"],
            "fmt": ["csv", "xlsx"],
        },
    }


def add_bill_lines(tenant, year: int, month: int) -> None:
    """Imported cloud-bill lines in the month (a credit, an adjustment, tax, usage), so the charge breakdown renders."""
    for category, amount in (("Credit", "-120000"), ("Adjustment", "15000"), ("Tax", "9000"), ("Usage", "480000")):
        add_cost(tenant, year, month, "SERVER", "INFRA", amount, description=f"cloud · {category}", charge_category=category)


def demo_import_batches(tenant, user_id: int) -> list[int]:
    """An import waiting for confirmation (its preview) and a finished one (its result)."""
    import io

    from webapp.imports.pipeline import process_batch, store_upload

    rows = "code,title,type,priority,status,created_at\nWALK-{n},walk {n},INCIDENT,P2,OPEN,2026-03-02 09:00\n"
    waiting = store_upload(tenant, user_id, "srs", "srs.csv", io.BytesIO(rows.format(n=1).encode()))
    done = process_batch(store_upload(tenant, user_id, "srs", "srs.csv", io.BytesIO(rows.format(n=2).encode())))
    assert done.status == "DONE"
    return [waiting.id, done.id]


def page_urls(app, demo) -> list[tuple[str, str, str | None]]:
    """(endpoint, url, report template or None) for every GET rule outside the API, arguments filled."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.rule.startswith("/api/") or rule.endpoint in NOT_PAGES:
            continue
        urls: list[tuple[str, str | None]] = [(rule.rule, None)]
        for match in re.finditer(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
            converter, argument = match.group(1) or "default", match.group(2)
            values = demo["ids"].get(argument) if converter == "int" else demo["strings"].get(argument)
            assert values, f"{rule.rule}: teach this walk a real value for <{argument}>"
            filled = []
            for url, template in urls:
                for value in values:
                    kind = template
                    if argument == "report_id":
                        kind = demo["report_templates"][value]
                    elif argument == "template_code":
                        kind = value
                    filled.append((url.replace(match.group(0), str(value), 1), kind))
            urls = filled
        found.extend((rule.endpoint, url, template) for url, template in urls)
    return found


def expected_status(app, endpoint: str, role: str, template: str | None) -> int:
    """200 for a role the view (and the report's template) admits, else 403; redirects by design give 302.

    A STAFF request for the printable page of a cost template is refused (403) before the page is looked up.
    """
    admitted = role.upper() in roles_allowed(app, endpoint)
    if template is not None and endpoint.startswith("reports."):
        if endpoint == "reports.printable" and not TEMPLATES[template].offers("pdf"):
            return 404  # a template without a PDF has no printable page
        admitted = admitted and role.upper() in TEMPLATES[template].roles
    if not admitted:
        return 403
    if endpoint == "main.index" and role == "staff":
        return 200
    return 302 if endpoint in REDIRECTS else 200


def test_every_page_renders_in_both_languages_for_each_role(app, demo):
    """One seeded tenant, walked as each role in turn (seeding once keeps the walk quick)."""
    english, korean = catalogue_messages()
    assert len(english) > 200 and len(korean) > 200, "the catalogues were read"
    problems = []
    walked = 0
    for role in PASSWORDS:
        client = app.test_client()
        response = client.post("/login", data={"tenant": "demo", "username": role, "password": PASSWORDS[role]})
        assert response.status_code == 302, role
        for endpoint, url, template in page_urls(app, demo):
            if endpoint == "schedules.download_link":
                continue  # walked without a session below
            for language in LANGUAGES:
                client.set_cookie("lang", language)
                response = client.get(url)
                walked += 1
                expected = expected_status(app, endpoint, role, template)
                if response.status_code != expected:
                    problems.append(f"{role} {language} {url}: {response.status_code}, expected {expected}")
                    continue
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                shown = texts_of(response.get_data(as_text=True))
                wrong = english if language == "ko" else korean
                leftovers = sorted({text for text in shown if text in wrong})
                if leftovers:
                    problems.append(f"{role} {language} {url}: not translated: {leftovers[:5]}")
    assert walked > 200
    assert not problems, "\n".join(problems)


def test_the_signed_link_opens_in_both_languages(app, demo):
    visitor = app.test_client()
    for language in LANGUAGES:
        visitor.set_cookie("lang", language)
        response = visitor.get(links.LINK_PATH + demo["strings"]["token"][0])
        assert response.status_code == 200, language
        assert response.data.startswith(b"PK")
