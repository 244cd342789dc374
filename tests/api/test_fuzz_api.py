"""Every JSON API endpoint, fed arbitrary JSON in every field: never a 5xx, never a half-stored refusal.

The table ENDPOINTS says what each /api/ endpoint takes (its body fields, query arguments and
URL ids).  test_every_api_rule_is_in_the_table walks app.url_map, so an endpoint added later
without an entry here fails the suite until it is fuzzed too.

Run time: 50 examples per endpoint and method; API_FUZZ_EXAMPLES=500 for a longer hunt.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models import ApiToken, Report, Server, User
from webapp.models.schedules import ReportSchedule

from ..factories import add_cost

# The app and its database are built once per endpoint; examples share them (each compares row counts before and after).
FUZZ = settings(
    max_examples=int(os.environ.get("API_FUZZ_EXAMPLES", "50")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

COST = {
    "year": 2025,
    "month": 1,
    "category": "SERVER",
    "service": "ERP",
    "amount": 1000,
    "description": "서버 임대",
    "department": "IT",
    "server_id": 1,
}
PERIOD = ("year", "month")


@dataclass(frozen=True)
class Endpoint:
    """What one endpoint takes: a valid body (each field is fuzzed, plus `optional`), query arguments, URL ids."""

    methods: tuple[str, ...]
    body: dict | None = None
    optional: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    ids: tuple[str, ...] = field(default=())


ENDPOINTS = {
    "api.me": Endpoint(("GET",)),
    # multipart uploads; the fuzzer's JSON bodies and the literal <kind> are refused (422/404) and store nothing
    "imports_api.create": Endpoint(("POST",)),
    "imports_api.status": Endpoint(("GET",), ids=("batch_id",)),
    "imports_api.index": Endpoint(("GET",), query=("page", "per_page")),
    "api.add_cost": Endpoint(("POST",), body=COST),
    "api.list_costs": Endpoint(("GET",), query=("year", "month", "service", "category", "page", "per_page")),
    "api.get_cost": Endpoint(("GET",), ids=("cost_id",)),
    "api.change_cost": Endpoint(("PUT", "PATCH"), body=COST, ids=("cost_id",)),
    "api.remove_cost": Endpoint(("DELETE",), ids=("cost_id",)),
    "api.summary": Endpoint(("GET",), query=PERIOD),
    "api.trend": Endpoint(("GET",), query=("months", "service", "end")),
    "api.allocation": Endpoint(("GET",), query=PERIOD),
    "api.anomalies": Endpoint(("GET",), query=(*PERIOD, "threshold", "method")),
    "api.recommendations": Endpoint(("GET",), query=PERIOD),
    "api.get_budget": Endpoint(("GET",), query=(*PERIOD, "service")),
    "api.post_budget": Endpoint(("POST",), body={"year": 2025, "month": 1, "service": "ALL", "amount": 5000000}),
    "api.optimize": Endpoint(("GET",), query=(*PERIOD, "refresh")),
    "api.budget_year": Endpoint(("GET",), query=("year", "service")),
    "api.budget_alerts": Endpoint(("GET",), query=("year",)),
    "api.report_templates": Endpoint(("GET",)),
    "api.generate_report": Endpoint(
        ("POST",),
        body={"template": "weekly_ops", "format": "excel", "period_start": "2025-01-01", "period_end": "2025-01-07"},
        optional=("send_email", "email", "recipients", "wait"),
    ),
    "api.list_reports": Endpoint(("GET",), query=("limit", "offset", "template")),
    "api.report_status": Endpoint(("GET",), ids=("report_id",)),
    "api.download_report": Endpoint(("GET",), ids=("report_id",)),
    "api.retry_failed_report": Endpoint(("POST",), ids=("report_id",)),
    "api.create_schedule": Endpoint(
        ("POST",),
        body={
            "template": "weekly_ops",
            "cron": "0 9 * * 1",
            "email": "ops@acme.example.kr",
            "format": "excel",
            "timezone": "Asia/Seoul",
            "name": "주간",
        },
        optional=("recipients", "skip_when_empty", "active"),
    ),
    "api.list_schedules": Endpoint(("GET",), query=("page", "per_page")),
    "api.get_schedule": Endpoint(("GET",), ids=("schedule_id",), query=("page", "per_page")),
    "api.delete_schedule": Endpoint(("DELETE",), ids=("schedule_id",)),
    "api.run_schedule": Endpoint(("POST",), ids=("schedule_id",)),
}
CASES = [(name, method) for name, endpoint in ENDPOINTS.items() for method in endpoint.methods]

# --- what a hostile or broken client sends ----------------------------------------------------

NASTY_TEXT = [
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\u0001" * 8,
    "\t\t\t\t\t\t\t\t",
    "\ud800",
    "x\udfffy",
    "\u007f",
    "１２",
    "١٢",
    "²",
    "1e30",
    "1E+30",
    "1e100000",
    "-1",
    "0",
    "NaN",
    "Infinity",
    "99999999999999999999",
    "2147483648",
    "9999-12-31",
    "0001-01-01",
    "1999-12-31",
    "2101-01-01",
    "2025-02-30",
    "2025-01-01",
    "２０２５-01-01",
    "weekly_ops",
    "monthly_cost",
    "pdf",
    "excel",
    "ALL",
    "ERP",
    "SERVER",
    "0 9 * * 1",
    "* * * * *",
    "Asia/Seoul",
    "ops@acme.example.kr",
    "a@b",
    "x" * 301,
    "가" * 5000,
    "<script>alert(1)</script>",
    "=1+1",
    "'; DROP TABLE costs;--",
]
NASTY_NUMBERS = [0, -1, 1, 2**31 - 1, 2**31, 2**63, 10**20, 10**30, -(10**20), 1e30, 1e308, -1e308, 0.1, 0.005, 1e-300]
text = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cs", "Nd", "Zs"]), max_size=12),
)
number = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
)
known_bad = st.sampled_from([*NASTY_TEXT, *NASTY_NUMBERS, None, True, False, [], {}, [None], {"": ""}])
leaf = st.one_of(st.none(), st.booleans(), number, text)
# The known troublemakers get two draws in three, so 50 examples meet them; the rest is anything JSON.
json_value = st.one_of(
    known_bad,
    known_bad,
    st.recursive(
        leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6
    ),
)
# Query strings are bytes in a URL: no lone surrogates (a browser or client cannot send them there).
query_known_bad = st.sampled_from([t for t in NASTY_TEXT if not any("\ud800" <= c <= "\udfff" for c in t)])
query_text = st.one_of(
    query_known_bad,
    query_known_bad,
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
)
url_id = st.one_of(
    st.sampled_from(["1", "2", "0", "2147483647", "2147483648", "99999999999999999999", "-1", "１", "١", "1e3"]),
    st.integers(min_value=0, max_value=10**25).map(str),
)


@st.composite
def requests_for(draw, endpoint: Endpoint):
    """(path values, query, body) with some of the endpoint's fields replaced by hostile values."""
    ids = {name: draw(url_id) for name in endpoint.ids}
    query = {}
    if endpoint.query:
        query = draw(st.dictionaries(st.sampled_from(endpoint.query), query_text, max_size=len(endpoint.query)))
    body = None
    if endpoint.body is not None:
        fields = [*endpoint.body, *endpoint.optional]
        changed = draw(st.dictionaries(st.sampled_from(fields), json_value, min_size=1, max_size=3))
        dropped = draw(st.sets(st.sampled_from(fields), max_size=2))
        body = {name: value for name, value in {**endpoint.body, **changed}.items() if name not in dropped or name in changed}
        body = draw(st.one_of(st.just(body), st.just(body), st.just(body), json_value))  # now and then not an object at all
    return ids, query, body


# --- the test ---------------------------------------------------------------------------------


def row_counts(db) -> dict[str, int]:
    """Rows in every table of the app."""
    counts = {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables}
    db.session.rollback()
    return counts


@pytest.fixture
def admin_headers(db, tenant, other_tenant):
    """Bearer headers of the tenant's ADMIN (allowed everywhere), with one item of each kind to aim ids at."""
    admin = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.role == "ADMIN"))
    db.session.add(Server(tenant_id=tenant.id, name="web-01", service="ERP", description=""))
    add_cost(tenant, 2025, 1, "SERVER", "ERP", "1000")
    add_cost(other_tenant, 2025, 1, "SERVER", "ERP", "2000")
    db.session.add(
        Report(
            tenant_id=tenant.id,
            template="weekly_ops",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 1, 7),
            format="excel",
            status="DONE",
            content=b"PK",
            size=2,
            file_name="weekly.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    )
    db.session.add(
        ReportSchedule(
            tenant_id=tenant.id,
            owner_id=admin.id,
            name="주간",
            template="weekly_ops",
            cron="0 9 * * 1",
            timezone="Asia/Seoul",
            format="excel",
            recipients=["ops@acme.example.kr"],
        )
    )
    _token, raw = ApiToken.issue(admin, "fuzz")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_every_api_rule_is_in_the_table(bare_app):
    """A new /api/ endpoint (or method) must be added to ENDPOINTS, so the fuzzing covers it."""
    missing = sorted(
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule in bare_app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if method not in ENDPOINTS.get(rule.endpoint, Endpoint(())).methods
    )
    assert not missing, f"add these to ENDPOINTS in {__file__}: {missing}"
    stale = sorted(name for name in ENDPOINTS if name not in bare_app.view_functions)
    assert not stale, f"ENDPOINTS lists endpoints the app no longer has: {stale}"


@pytest.mark.parametrize("name,method", CASES, ids=[f"{method}-{name}" for name, method in CASES])
@FUZZ
@given(data=st.data())
def test_hostile_input_never_fails_and_a_refusal_stores_nothing(app, client, db, admin_headers, name, method, data):
    """Never 5xx; every refusal is JSON {"detail", "errors"?} and leaves every table as it was."""
    endpoint = ENDPOINTS[name]
    ids, query, body = data.draw(requests_for(endpoint), label="request")
    path = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == name).rule
    for id_name, value in ids.items():
        path = path.replace(f"<int:{id_name}>", value)
    before = row_counts(db)
    kwargs = {}
    if endpoint.body is not None:
        kwargs = {"data": json.dumps(body, ensure_ascii=True), "content_type": "application/json"}
    response = client.open(path, method=method, headers=admin_headers, query_string=query, **kwargs)
    shown = f"{method} {path} query={query!r} body={json.dumps(body, ensure_ascii=True)[:300]}"
    assert response.status_code < 500, f"{shown} → {response.status_code} {response.get_data(as_text=True)[:300]}"
    if response.status_code >= 400:
        assert response.is_json, f"{shown} → an error that is not JSON"
        payload = response.get_json()
        assert isinstance(payload.get("detail"), str) and payload["detail"], f"{shown} → no detail: {payload}"
        errors = payload.get("errors", {})
        assert isinstance(errors, dict), payload
        assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in errors.items()), payload
        assert row_counts(db) == before, f"{shown} → {response.status_code} but rows changed"
    else:
        wait_for_embedded_jobs(timeout=60)  # a report or run it queued must not write during the next example
