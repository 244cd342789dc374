"""Bad input never gives a 500: each case through the API and the forms, the validators under Hypothesis, the error policy.

API refusals are 400 (query) / 422 (body) JSON {"detail", "errors": {field: message}}; forms come back
(422) with the message next to the field; nothing is stored.  Control characters are refused once,
before any view, for every route (the error page lists the field on pages).
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from flask import abort
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from webapp import create_app
from webapp.analytics.periods import check_month
from webapp.costs.validation import MAX_AMOUNT, parse_amount
from webapp.models import ApiToken, AuditLog, Budget, CostEntry, Report, Server, ServiceRequest, Tenant, User
from webapp.reports.service import ReportRequestError, check_period, parse_period
from webapp.validation import (
    ID_MAX,
    REFUSED_CHARACTERS,
    FieldErrors,
    InvalidParameter,
    bounded_int,
    check_text,
    check_year,
    password_problem,
)

from ..conftest import PASSWORD, base_config
from ..factories import add_cost

COST = {"year": 2025, "month": 1, "category": "SERVER", "service": "ERP", "amount": 1000}
COST_FORM = {"year": "2025", "month": "1", "category": "SERVER", "service": "ERP", "amount": "1000", "department": "IT"}
BUDGET = {"year": 2025, "month": 1, "service": "ALL", "amount": 5000000}
SCHEDULE = {"template": "weekly_ops", "cron": "0 9 * * 1", "email": "ops@acme.example.kr"}
GENERATE = {"template": "weekly_ops", "period_start": "2025-01-01", "period_end": "2025-01-07"}
SR_FORM = {"title": "요청", "type": "REQUEST", "priority": "P3", "status": "OPEN", "service": "ERP"}
SETTINGS_FORM = {
    "name": "에이크미 기관",
    "timezone": "Asia/Seoul",
    "locale": "ko",
    "sla_p1": "4",
    "sla_p2": "8",
    "sla_p3": "24",
    "sla_p4": "72",
    "report_retention_days": "365",
}
HUGE_AMOUNTS = [1e30, "1e30", "1E+30", "1e100000", 10**30, "9999999999999999999"]
NOT_TEXT = [True, -1, 1e30, [], {}, ["ERP"], {"a": 1}]


def rows(db, model) -> int:
    """How many rows the table has."""
    return db.session.scalar(select(func.count()).select_from(model))


def all_rows(db) -> dict[str, int]:
    """Rows in every table (to prove a refusal stored nothing at all)."""
    counts = {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables}
    db.session.rollback()
    return counts


def field_error(html: str, field_id: str) -> str:
    """The message shown next to a form field (the field macro's <p class="error" id="FIELD-error">)."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return match.group(1) if match else ""


@pytest.fixture
def bearer(db, tenant):
    """Bearer headers for a user of the tenant: bearer("admin")."""

    def headers(username: str = "admin") -> dict:
        user = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == username))
        _token, raw = ApiToken.issue(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return headers


def post_json(client, path: str, body, headers: dict, method: str = "POST"):
    """Send a body exactly as a client would (ASCII-escaped, so lone surrogates and NaN travel too)."""
    return client.open(
        path, method=method, data=json.dumps(body, ensure_ascii=True), content_type="application/json", headers=headers
    )


def assert_refused(response, field: str, status: int | tuple = (400, 422)) -> dict:
    """A JSON refusal naming the field in `errors` and in `detail`."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json
    body = response.get_json()
    assert field in body["errors"], body
    assert body["errors"][field] and body["errors"][field] in body["detail"]
    return body


# --- validators under Hypothesis ----------------------------------------------------------------

PURE = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec=None, categories=["L", "N", "P", "S", "Z", "Cc", "Cs"]), max_size=30)
    | st.sampled_from(
        ["1e30", "1E+30", "1e100000", "-1e100000", "1e-100000", "0e999999999", "１２", "١٢", "NaN", "-0", "₩1,234"]
    ),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=4,
)


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory):
    """An app context for the pure checks (their messages go through Babel); no database is touched."""
    app = create_app(base_config(f"sqlite:///{tmp_path_factory.mktemp('pure')}/unused.db"))
    with app.test_request_context():
        yield app


@PURE
@given(raw=ANY_JSON)
def test_parse_amount_gives_a_two_place_amount_in_range_or_refuses_the_field(plain_app, raw):
    try:
        value = parse_amount(raw)
    except InvalidParameter as exc:
        assert exc.field == "amount" and exc.message.startswith("amount")
        return
    assert isinstance(value, Decimal) and Decimal(0) <= value <= MAX_AMOUNT and value == value.quantize(Decimal("0.01"))


@PURE
@given(amount=st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False))
def test_parse_amount_keeps_every_valid_amount_exactly(plain_app, amount):
    assert parse_amount(str(amount)) == amount
    assert parse_amount(f"{amount:,f}") == amount  # as typed with thousands separators


@pytest.mark.parametrize(
    "raw", [*HUGE_AMOUNTS, "1e-100000", "１２", "١٢", "NaN", "Infinity", float("nan"), float("inf"), True, [], {}]
)
def test_parse_amount_refuses_huge_odd_and_non_numbers(plain_app, raw):
    with pytest.raises(InvalidParameter) as refused:
        parse_amount(raw)
    assert refused.value.field == "amount"


@PURE
@given(raw=ANY_JSON)
def test_year_and_month_checks_give_an_int_in_range_or_refuse(plain_app, raw):
    for check, low, high, name in ((check_year, 2000, 2100, "year"), (check_month, 1, 12, "month")):
        try:
            value = check(raw)
        except InvalidParameter as exc:
            assert exc.field == name
            continue
        assert type(value) is int and low <= value <= high


@PURE
@given(
    year=st.integers(min_value=2000, max_value=2100), digits=st.sampled_from(["０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९"])
)
def test_year_typed_with_other_scripts_digits_is_refused_and_ascii_accepted(plain_app, year, digits):
    assert check_year(str(year)) == year and check_year(f" {year} ") == year
    with pytest.raises(InvalidParameter):
        check_year("".join(digits[int(c)] for c in str(year)))


@PURE
@given(raw=ANY_JSON, max_length=st.integers(min_value=1, max_value=40), required=st.booleans())
def test_check_text_returns_clean_bounded_text_or_refuses(plain_app, raw, max_length, required):
    stripped = raw.strip() if isinstance(raw, str) else ""
    should_refuse = (
        (raw is not None and not isinstance(raw, str))
        or bool(REFUSED_CHARACTERS.search(stripped))
        or len(stripped) > max_length
        or (required and not stripped)
    )
    try:
        value = check_text("name", raw, max_length=max_length, required=required, default="dflt")
    except InvalidParameter as exc:
        assert should_refuse and exc.field == "name" and exc.message.startswith("name")
        return
    assert not should_refuse, "a number, a list or a control character must never pass as text"
    assert value == (stripped or "dflt")


@pytest.mark.parametrize("raw", NOT_TEXT)
def test_check_text_refuses_numbers_and_structures_instead_of_writing_their_repr(plain_app, raw):
    with pytest.raises(InvalidParameter, match="문자열이어야"):  # "must be text"
        check_text("description", raw, max_length=500)


@PURE
@given(start=ANY_JSON, end=ANY_JSON)
def test_parse_period_gives_dates_in_2000_to_2100_or_refuses_a_period_field(plain_app, start, end):
    try:
        first, last = parse_period("weekly_ops", start, end, date(2025, 3, 15))
    except ReportRequestError as exc:
        assert exc.field in ("period_start", "period_end")
        return
    assert 2000 <= first.year <= 2100 and 2000 <= last.year <= 2100


@PURE
@given(start=st.dates(), end=st.dates())
def test_parse_and_check_period_accept_exactly_the_sane_years(plain_app, start, end):
    sane = all(2000 <= d.year <= 2100 for d in (start, end))
    try:
        parsed = parse_period("weekly_ops", start.isoformat(), end.isoformat(), date(2025, 3, 15))
        check_period(*parsed)
    except ReportRequestError as exc:
        assert not sane or start > end, exc
        return
    assert sane and parsed == (start, end) and start <= end


@PURE
@given(text=st.text(max_size=25) | st.integers(min_value=-(10**30), max_value=10**30).map(str))
def test_bounded_int_reads_ascii_whole_numbers_within_the_id_range_only(plain_app, text):
    try:
        value = bounded_int(text)
    except ValueError:
        return
    assert abs(value) <= ID_MAX and text.strip().lstrip("+-").isascii() and text.strip().lstrip("+-").isdigit()


@pytest.mark.parametrize(
    "password, refused",
    [
        ("\t" * 8, True),
        ("\x01\x02\x03\x04\x05\x06\x07\x08", True),
        ("abc\ndefgh", True),
        (" " * 8, True),
        ("\x7f" * 8, True),
        ("correct-horse-9", False),
        ("한글 비밀번호 입니다", False),
    ],
)
def test_password_rules(plain_app, password, refused):
    assert (password_problem(password) is not None) is refused


# --- amounts: 1e30 and friends -------------------------------------------------------------------


@pytest.mark.parametrize("path, body, model", [("/api/finops/costs", COST, CostEntry), ("/api/finops/budget", BUDGET, Budget)])
def test_api_refuses_a_huge_amount_as_too_large(client, db, bearer, path, body, model):
    headers = bearer()
    for amount in HUGE_AMOUNTS:
        response = post_json(client, path, {**body, "amount": amount}, headers)
        assert "너무 큽니다" in assert_refused(response, "amount", 422)["errors"]["amount"], amount  # "too large", in Korean
    assert rows(db, model) == 0


@pytest.mark.parametrize(
    "path, form, model",
    [
        ("/costs/", COST_FORM, CostEntry),
        ("/budgets/", {"year": "2025", "month": "1", "service": "ALL"}, Budget),
    ],
)
def test_forms_show_a_huge_amount_next_to_the_field(client, auth, db, tenant, path, form, model):
    auth.login("admin")
    for amount in ["1e30", "1E+30", "1e100000", "99999999999999999"]:
        response = client.post(path, data={**form, "amount": amount})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, amount
        assert "amount" in field_error(html, "amount") and f'value="{amount}"' in html, amount  # the typed value is kept
    assert rows(db, model) == 0


# --- control characters: once for every route ----------------------------------------------------


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/finops/costs", {**COST, "description": "a\u0000b"}, "description"),
        ("/api/finops/costs", {**COST, "department": "\u0000"}, "department"),
        ("/api/finops/costs", {**COST, "description": "x\ud800"}, "description"),
        ("/api/finops/budget", {**BUDGET, "service": "ALL\u0000"}, "service"),
        ("/api/auto-report/schedule", {**SCHEDULE, "name": "주간\u0000"}, "name"),
        ("/api/auto-report/schedule", {**SCHEDULE, "recipients": ["ops@acme.example.kr", "\u0007x@y.kr"]}, "recipients[1]"),
        ("/api/auto-report/generate", {"template": "weekly_ops", "period_start": "2025-01-01\u0000"}, "period_start"),
        ("/api/auto-report/generate", {"template": "weekly_ops", "opts": {"n\u0000": 1}}, "opts.n\\u0000"),
    ],
)
def test_api_refuses_nul_and_control_characters_in_any_field(client, db, bearer, path, body, field):
    headers = bearer()
    before = all_rows(db)
    body = assert_refused(post_json(client, path, body, headers), field, 422)
    assert "U+" in body["errors"][field]
    assert all_rows(db) == before


def test_api_refuses_control_characters_in_query_arguments_with_400(client, bearer):
    response = client.get("/api/finops/costs?service=ERP%00", headers=bearer())
    assert_refused(response, "service", 400)


def test_api_refuses_nan_and_infinity_which_are_not_json(client, db, bearer):
    raw = '{"year": 2025, "month": 1, "category": "SERVER", "service": "ERP", "amount": NaN}'
    response = client.post("/api/finops/costs", data=raw, content_type="application/json", headers=bearer())
    assert_refused(response, "amount", 422)
    response = client.post(
        "/api/auto-report/generate",
        data='{"template": "weekly_ops", "wait": "NaN"}',
        content_type="application/json",
        headers=bearer(),
    )
    assert_refused(response, "wait", 400)
    assert rows(db, CostEntry) == 0 and rows(db, Report) == 0


@pytest.mark.parametrize("raw", ['{"amount": 1' + "0" * 5000 + "}", "[" * 100000 + "]" * 100000])
def test_api_answers_a_body_json_cannot_hold_with_400(client, bearer, raw):
    response = client.post("/api/finops/costs", data=raw, content_type="application/json", headers=bearer())
    assert response.status_code == 400 and response.is_json and response.get_json()["detail"]


def test_forms_refuse_nul_on_the_error_page_naming_the_field(client, auth, db, tenant):
    auth.login("admin")
    before = all_rows(db)
    for path, form, field in [
        ("/costs/", {**COST_FORM, "description": "a\x00b"}, "description"),
        ("/costs/", {**COST_FORM, "department": "I\x00T"}, "department"),
        ("/service-requests/new", {**SR_FORM, "title": "a\x00"}, "title"),
        ("/service-requests/new", {**SR_FORM, "assignee": "\x00"}, "assignee"),
        ("/service-requests/new", {**SR_FORM, "description": "\x1b[31m"}, "description"),
        (
            "/schedules/new",
            {**SCHEDULE, "name": "a\x00", "timezone": "Asia/Seoul", "format": "excel", "recipients": "ops@acme.example.kr"},
            "name",
        ),
        (
            "/admin/users/new",
            {"username": "bob", "email": "bob@acme.example.kr", "role": "STAFF", "password": "pass\x00word1"},
            "password",
        ),
        (
            "/admin/users/new",
            {"username": "bo\x00b", "email": "bob@acme.example.kr", "role": "STAFF", "password": "password1"},
            "username",
        ),
        ("/admin/settings", {**SETTINGS_FORM, "name": "기관\x00"}, "name"),
        ("/account/tokens", {"name": "토큰\x00"}, "name"),
    ]:
        response = client.post(path, data=form)
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and f"<li>{field}: " in html and "U+00" in html, (path, field)
    assert all_rows(db) == before
    assert db.session.get(Tenant, tenant.id).name == "에이크미 기관"


def test_sign_in_with_nul_is_refused_not_a_crash(client, tenant):
    for form in [
        {"tenant": "acme", "username": "pm\x00", "password": PASSWORD},
        {"tenant": "acme\x00", "username": "pm", "password": PASSWORD},
        {"tenant": "acme", "username": "pm", "password": "\x00" + PASSWORD},
    ]:
        response = client.post("/login", data=form)
        assert response.status_code == 422 and "U+0000" in response.get_data(as_text=True), form
    assert client.get("/costs/").status_code == 302  # still signed out


def test_nul_in_a_page_query_or_url_part_is_refused(client, auth, tenant):
    auth.login("admin")
    assert client.get("/service-requests/?q=a%00b").status_code == 400
    assert client.get("/admin/outbox/a%00b").status_code == 404


# --- ids beyond the column range -----------------------------------------------------------------


def test_api_ids_beyond_the_id_column_are_404(client, bearer):
    headers = bearer()
    for path in [
        "/api/finops/costs/99999999999999999999",
        "/api/finops/costs/2147483648",
        "/api/auto-report/9223372036854775808",
        "/api/auto-report/schedule/99999999999999999999",
        "/api/finops/costs/١",
        "/api/finops/costs/１",
    ]:
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and response.is_json, path


def test_page_ids_beyond_the_id_column_are_404(client, auth, tenant):
    auth.login("admin")
    for path in [
        "/costs/99999999999999999999",
        "/costs/99999999999999999999/edit",
        "/reports/2147483648",
        "/schedules/99999999999999999999",
        "/service-requests/99999999999999999999/edit",
    ]:
        assert client.get(path).status_code == 404, path


def test_the_largest_id_still_routes(client, bearer):
    response = client.get(f"/api/finops/costs/{ID_MAX}", headers=bearer())
    assert response.status_code == 404 and response.is_json  # routed to the view, which finds no such cost


def test_server_id_beyond_the_range_or_not_an_id_is_a_field_error(client, db, bearer):
    headers = bearer()
    for server_id in [10**20, 2**31, -1, "abc", "１", 1.5, True, [1]]:
        assert_refused(post_json(client, "/api/finops/costs", {**COST, "server_id": server_id}, headers), "server_id", 422)
    assert rows(db, CostEntry) == 0


def test_cost_form_refuses_a_server_id_beyond_the_range_next_to_the_field(client, auth, db, tenant):
    db.session.add(Server(tenant_id=tenant.id, name="web-01", service="ERP", description=""))
    db.session.commit()
    auth.login("pm")
    response = client.post("/costs/", data={**COST_FORM, "server_id": "100000000000000000000"})
    # next to the field the message names its label (issue 12: the user's words), not the field name
    assert response.status_code == 422 and field_error(response.get_data(as_text=True), "server_id").startswith("서버")
    assert rows(db, CostEntry) == 0


@pytest.mark.parametrize("query", ["offset=99999999999999999999", "limit=99999999999999999999", "offset=１２"])
def test_report_list_paging_with_huge_or_foreign_digits_falls_back_to_defaults(client, bearer, query):
    response = client.get(f"/api/auto-report/list?{query}", headers=bearer())
    assert response.status_code == 200 and response.get_json() == []


def test_cost_pages_with_a_huge_page_number_show_the_first_page(client, auth, tenant, bearer):
    add_cost(tenant, 2025, 1, "SERVER", "ERP", "1000")
    assert client.get("/api/finops/costs?page=99999999999999999999", headers=bearer()).get_json()["page"] == 1
    auth.login("pm")
    assert client.get("/costs/?page=99999999999999999999").status_code == 200
    assert client.get("/service-requests/?page=99999999999999999999").status_code == 200


# --- numbers where text is expected --------------------------------------------------------------


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/finops/budget", BUDGET, "service"),
        ("/api/finops/costs", COST, "description"),
        ("/api/finops/costs", COST, "department"),
        ("/api/auto-report/schedule", SCHEDULE, "template"),
        ("/api/auto-report/schedule", SCHEDULE, "cron"),
        ("/api/auto-report/schedule", SCHEDULE, "format"),
        ("/api/auto-report/schedule", SCHEDULE, "timezone"),
        ("/api/auto-report/generate", GENERATE, "period_start"),
        ("/api/auto-report/generate", GENERATE, "period_end"),
        ("/api/auto-report/generate", {"template": "weekly_ops"}, "template"),
        ("/api/auto-report/generate", {"template": "weekly_ops"}, "format"),
    ],
)
def test_api_refuses_a_non_string_where_text_is_expected(client, db, bearer, path, body, field):
    headers = bearer()
    before = all_rows(db)
    for value in NOT_TEXT:
        assert "문자열" in assert_refused(post_json(client, path, {**body, field: value}, headers), field)["errors"][
            field
        ] or field.startswith("period"), value  # "must be text" (periods say "enter a date as YYYY-MM-DD")
    assert all_rows(db) == before


def test_a_cost_description_is_never_stored_as_a_python_repr(client, db, bearer):
    post_json(client, "/api/finops/costs", {**COST, "description": True}, bearer())
    assert db.session.scalar(select(func.count()).select_from(CostEntry).where(CostEntry.description == "True")) == 0


def test_report_and_schedule_refusals_keep_the_old_field_key(client, bearer):
    body = assert_refused(post_json(client, "/api/auto-report/generate", {"template": "nope"}, bearer()), "template", 400)
    assert body["field"] == "template"
    response = post_json(client, "/api/auto-report/schedule", {**SCHEDULE, "cron": "61 * * * *"}, bearer())
    body = assert_refused(response, "cron", 400)
    assert body["field"] == "cron"
    response = post_json(client, "/api/auto-report/schedule", {**SCHEDULE, "recipients": 5}, bearer())
    body = assert_refused(response, "recipients", 400)
    assert body["field"] == "recipients"


# --- dates outside 2000–2100 ---------------------------------------------------------------------


def test_generate_refuses_dates_outside_the_sane_years(client, db, bearer):
    headers = bearer()
    for start, end, field in [
        ("2025-01-01", "9999-12-31", "period_end"),
        ("0001-01-01", "2025-01-01", "period_start"),
        ("1999-12-31", "2025-01-01", "period_start"),
        ("2025-01-01", "2101-01-01", "period_end"),
        ("２０２５-01-01", "2025-01-07", "period_start"),
        ("2025-02-30", "2025-03-01", "period_start"),
    ]:
        body = {"template": "weekly_ops", "period_start": start, "period_end": end}
        assert_refused(post_json(client, "/api/auto-report/generate", body, headers), field, 400)
    assert rows(db, Report) == 0


@pytest.mark.parametrize("start, end", [("2025-01-01", "9999-12-31"), ("1900-01-01", "2025-01-01")])
def test_report_form_shows_the_year_error_next_to_the_period(client, auth, db, tenant, start, end):
    auth.login("pm")
    response = client.post(
        "/reports/",
        data={"template": "weekly_ops", "period": "custom", "period_start": start, "period_end": end, "format": "excel"},
    )
    html = response.get_data(as_text=True)
    errors = re.search(r'<div id="period-errors">(.*?)</div>', html, re.S).group(1)
    assert response.status_code == 422 and "2000" in errors and "2100" in errors
    assert rows(db, Report) == 0


def test_print_view_refuses_dates_outside_the_sane_years(client, auth, tenant):
    auth.login("pm")
    response = client.get("/reports/print/weekly_ops?start=2025-01-01&end=9999-12-31")
    assert response.status_code == 400 and "2100" in response.get_data(as_text=True)


def test_sr_form_refuses_times_outside_the_sane_years_next_to_the_field(client, auth, db, tenant):
    auth.login("pm")
    for field, value, shown in [
        ("created_at", "0001-01-01T00:00", "2100"),
        ("created_at", "1999-12-31T23:00", "2100"),
        ("resolved_at", "9999-12-31T23:59", "2100"),
        ("created_at", "２０２５-01-01T10:00", "0–9"),
    ]:
        response = client.post("/service-requests/new", data={**SR_FORM, "status": "DONE", field: value})
        assert response.status_code == 422 and shown in field_error(response.get_data(as_text=True), field), (field, value)
    assert rows(db, ServiceRequest) == 0


def test_sr_filter_with_an_absurd_date_lists_without_crashing(client, auth, tenant):
    auth.login("pm")
    assert client.get("/service-requests/?created_from=0001-01-01&created_to=9999-12-31").status_code == 200


# --- Unicode digits, control-character passwords, long inputs ------------------------------------


@pytest.mark.parametrize("query, field", [("year=２０２５&month=1", "year"), ("year=2025&month=١", "month")])
def test_api_query_refuses_foreign_digits(client, bearer, query, field):
    assert_refused(client.get(f"/api/finops/summary?{query}", headers=bearer()), field, 400)


@pytest.mark.parametrize(
    "path, field", [("/api/finops/trend?months=１２", "months"), ("/api/finops/anomalies?threshold=３０", "threshold")]
)
def test_api_trend_and_threshold_refuse_foreign_digits(client, bearer, path, field):
    assert_refused(client.get(path, headers=bearer()), field, 400)


def test_cost_form_refuses_a_year_in_fullwidth_digits(client, auth, db, tenant):
    auth.login("pm")
    response = client.post("/costs/", data={**COST_FORM, "year": "２０２５"})
    assert response.status_code == 422 and "2000" in field_error(response.get_data(as_text=True), "year")
    assert rows(db, CostEntry) == 0


@pytest.mark.parametrize("field", ["sla_p1", "report_retention_days"])
def test_settings_refuse_foreign_digits_next_to_the_field(client, auth, db, tenant, field):
    auth.login("admin")
    response = client.post("/admin/settings", data={**SETTINGS_FORM, field: "١٢"})
    assert response.status_code == 422 and "0–9" in field_error(response.get_data(as_text=True), field)
    assert db.session.get(Tenant, tenant.id).setting("sla_hours")["P1"] != 12


@pytest.mark.parametrize("password", ["\t" * 10, " \t \t \t \t", "pass\nword12"])
def test_a_password_of_control_characters_is_refused_next_to_the_field(client, auth, db, tenant, password):
    auth.login("admin")
    response = client.post(
        "/admin/users/new",
        data={"username": "bob", "email": "bob@acme.example.kr", "role": "STAFF", "active": "y", "password": password},
    )
    assert response.status_code == 422 and "비밀번호" in field_error(response.get_data(as_text=True), "password")
    assert db.session.scalar(select(User).where(User.username == "bob")) is None


def test_username_with_a_trailing_new_line_is_refused(client, auth, db, tenant):
    auth.login("admin")
    response = client.post(
        "/admin/users/new", data={"username": "bob\n", "email": "bob@acme.example.kr", "role": "STAFF", "password": "password12"}
    )
    assert response.status_code == 422 and db.session.scalar(select(User).where(User.username.like("bob%"))) is None


def test_api_refuses_text_longer_than_its_column(client, db, bearer):
    headers = bearer()
    before = all_rows(db)
    for path, body, field in [
        ("/api/finops/costs", {**COST, "department": "부" * 51}, "department"),
        ("/api/finops/costs", {**COST, "description": "x" * 501}, "description"),
        ("/api/auto-report/schedule", {**SCHEDULE, "name": "n" * 201}, "name"),
        ("/api/auto-report/schedule", {**SCHEDULE, "cron": "0 " + ",".join(["1"] * 60) + " * * 1"}, "cron"),
        ("/api/auto-report/schedule", {**SCHEDULE, "timezone": "Asia/" + "x" * 64}, "timezone"),
        ("/api/finops/budget", {**BUDGET, "service": "S" * 5000}, "service"),
    ]:
        assert_refused(post_json(client, path, body, headers), field)
    assert all_rows(db) == before


def test_forms_refuse_text_longer_than_its_column_next_to_the_field(client, auth, db, tenant):
    auth.login("admin")
    before = all_rows(db)
    for path, form, field in [
        ("/service-requests/new", {**SR_FORM, "title": "t" * 301}, "title"),
        ("/service-requests/new", {**SR_FORM, "assignee": "a" * 101}, "assignee"),
        ("/admin/settings", {**SETTINGS_FORM, "name": "기" * 201}, "name"),
        ("/costs/", {**COST_FORM, "department": "d" * 51}, "department"),
    ]:
        response = client.post(path, data=form)
        assert response.status_code == 422 and field_error(response.get_data(as_text=True), field), (path, field)
    assert all_rows(db) == before


# --- a cost deleted while it is being edited ------------------------------------------------------


@pytest.fixture
def deleted_during_the_write(db):
    """Arm a hook that deletes a row from another connection just before the request flushes its change to it."""
    armed = {}

    def before_flush(session, _context, _instances):
        target = armed.get("row")
        if target is not None and any(
            obj is not None and type(obj) is type(target) and obj.id == target.id for obj in session.dirty | session.deleted
        ):
            armed.pop("row")
            table = type(target).__table__
            with db.engine.begin() as other_connection:  # the other request's delete, committed
                other_connection.execute(delete(table).where(table.c.id == target.id))

    event.listen(Session, "before_flush", before_flush)
    yield lambda row: armed.update(row=row)
    event.remove(Session, "before_flush", before_flush)


def test_api_edit_of_a_cost_deleted_meanwhile_is_404(client, db, tenant, bearer, deleted_during_the_write):
    headers = bearer("pm")
    entry = add_cost(tenant, 2025, 1, "SERVER", "ERP", "1000")
    deleted_during_the_write(entry)
    response = post_json(client, f"/api/finops/costs/{entry.id}", {"amount": 2000}, headers, method="PUT")
    assert response.status_code == 404 and response.is_json and response.get_json()["detail"]
    assert rows(db, CostEntry) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "update")) == 0


def test_page_edit_of_a_cost_deleted_meanwhile_is_404(client, auth, db, tenant, deleted_during_the_write):
    auth.login("pm")
    entry = add_cost(tenant, 2025, 1, "SERVER", "ERP", "1000")
    deleted_during_the_write(entry)
    response = client.post(f"/costs/{entry.id}/edit", data={**COST_FORM, "amount": "2000"})
    assert response.status_code == 404 and "삭제" in response.get_data(as_text=True)


# --- the error policy ----------------------------------------------------------------------------


@pytest.fixture
def failing_routes(app, tenant):
    """Routes that fail the ways real code does, under /api/ and as pages (added before the first request)."""

    def boom():
        raise RuntimeError("a bug")

    def broken_flush():
        from webapp.extensions import db

        db.session.add(
            CostEntry(tenant_id=tenant.id, code=None, year=2025, month=1, category="SERVER", service="ERP", amount=Decimal(1))
        )
        db.session.flush()  # NOT NULL code: IntegrityError, and the session must be rolled back

    def row_gone():
        from webapp.extensions import db

        entry = add_cost(tenant, 2025, 1, "SERVER", "ERP", "5", commit=True)
        with db.engine.begin() as other:
            other.execute(delete(CostEntry.__table__).where(CostEntry.__table__.c.id == entry.id))
        db.session.commit()  # ends this session's snapshot and expires the entry
        return str(entry.amount)  # ObjectDeletedError: the row went away under the expired object

    def forbidden():
        abort(403, description="Only the budget owner may do this.")

    def refused():
        raise FieldErrors({"year": "year: must be a number from 2000 to 2100."})

    for prefix in ("/api/test", "/test"):
        for name, view in (
            ("boom", boom),
            ("broken-flush", broken_flush),
            ("row-gone", row_gone),
            ("forbidden", forbidden),
            ("refused", refused),
        ):
            app.add_url_rule(f"{prefix}/{name}", f"{prefix.strip('/').replace('/', '_')}_{name}", view, methods=["GET", "POST"])


@pytest.mark.parametrize("name", ["boom", "broken-flush"])
def test_every_unexpected_api_error_is_json_and_the_session_survives(client, db, bearer, failing_routes, name):
    headers = bearer()
    response = client.post(f"/api/test/{name}", headers=headers)
    assert response.status_code == 500 and response.is_json and response.get_json()["detail"]
    assert rows(db, CostEntry) == 0


@pytest.mark.parametrize("name", ["boom", "broken-flush"])
def test_an_unexpected_page_error_is_the_error_page(client, auth, failing_routes, name):
    auth.login("pm")
    response = client.post(f"/test/{name}")
    assert response.status_code == 500 and "text/html" in response.content_type and "500" in response.get_data(as_text=True)


def test_a_row_deleted_under_an_expired_object_is_404(client, bearer, failing_routes):
    response = client.get("/api/test/row-gone", headers=bearer())
    assert response.status_code == 404 and response.is_json


def test_abort_descriptions_and_field_errors_reach_the_client(client, auth, bearer, failing_routes):
    headers = bearer()
    assert client.get("/api/test/forbidden", headers=headers).get_json() == {"detail": "Only the budget owner may do this."}
    body = client.get("/api/test/refused", headers=headers)
    assert body.status_code == 422
    assert body.get_json() == {
        "detail": "year: must be a number from 2000 to 2100.",
        "errors": {"year": "year: must be a number from 2000 to 2100."},
    }
    auth.login("pm")
    page = client.get("/test/forbidden")
    assert page.status_code == 403 and "Only the budget owner may do this." in page.get_data(as_text=True)
    page = client.get("/test/refused")
    assert page.status_code == 422 and "year: must be a number from 2000 to 2100." in page.get_data(as_text=True)


def test_unknown_api_paths_and_methods_answer_json(client, bearer):
    headers = bearer()
    missing = client.get("/api/no-such-thing", headers=headers)
    assert missing.status_code == 404 and missing.is_json
    wrong = client.put("/api/finops/summary", headers=headers)
    assert wrong.status_code == 405 and wrong.is_json and "GET" in wrong.headers["Allow"]
