"""AI advice against a real HTTP server on loopback: what is sent, what is shown, and every way back to the rules."""

import time

import pytest
from sqlalchemy import select

from webapp.jobs import wait_for_embedded_jobs
from webapp.models import CostAdvice

from ..factories import add_cost
from ..schedules.conftest import free_port
from .conftest import SECRET_DESCRIPTION, SECRET_SERVER

HX = {"HX-Request": "true"}
OPTIMIZE = "/api/finops/optimize?year=2025&month=6"


def ask(client, **form):
    """Press the dashboard's AI button (htmx) for June 2025."""
    return client.post("/dashboard/advice", data={"year": "2025", "month": "6", **form}, headers=HX)


def poll(client, advice_id):
    """What the polling fragment shows once the job has finished."""
    wait_for_embedded_jobs(timeout=30)
    return client.get(f"/dashboard/advice/{advice_id}", headers=HX).get_data(as_text=True)


def test_ollama_gets_the_months_figures_and_its_answer_is_returned(client, auth, june, fake_llm):
    fake_llm.reply = "1. 라이선스 재협상\n2. 유휴 서버 정리"
    auth.login("pm")
    answer = client.get(OPTIMIZE).get_json()
    assert len(fake_llm.requests) == 1
    sent = fake_llm.requests[0]
    assert sent.path == "/api/generate"
    assert sent.body["model"] == "llama3" and sent.body["stream"] is False
    prompt = sent.body["prompt"]
    assert "2025년 6월" in prompt and "월 합계: 1,750,000원" in prompt
    assert "소프트웨어 라이선스: 600,000원 (34.3%)" in prompt and "- ERP: 1,000,000원" in prompt
    assert "GROUPWARE: 신규 발생" in prompt  # the month's anomalies
    assert "소프트웨어 라이선스 비중 과다: 월 비용의 34.3%" in prompt and "유휴 서버(평균 CPU 10% 미만): 1대" in prompt
    assert answer["optimization"] == "1. 라이선스 재협상\n2. 유휴 서버 정리"
    assert answer["llm_used"] == "ollama/llama3" and answer["source"] == "llm" and answer["model"] == "llama3"
    assert answer["cached"] is False and answer["generated_at"]
    assert "AI 조언은 참고용입니다" in answer["disclaimer"]
    assert answer["year"] == 2025 and answer["month"] == 6 and answer["total_amount"] == 1750000
    assert answer["by_category"]["LICENSE"] == {"amount": 600000, "label": "소프트웨어 라이선스", "pct": 34.3, "item_count": 1}


def test_only_aggregates_leave_the_app(client, auth, june, fake_llm):
    auth.login("admin")
    client.get(OPTIMIZE)
    raw = fake_llm.requests[0].raw.decode("utf-8")
    for private in (SECRET_DESCRIPTION, SECRET_SERVER, "에이크미 기관", "admin", "acme", "99,999,999"):
        assert private not in raw
    assert "1,750,000" in raw


def test_openai_compatible_server(app, client, auth, june, fake_llm):
    fake_llm.api = "openai"
    app.config.update(LLM_PROVIDER="openai", LLM_URL=fake_llm.url, LLM_MODEL="qwen2.5-7b", LLM_API_KEY="on-prem-key")
    fake_llm.reply = "- 라이선스 회수\n- 회선 통합"
    auth.login("pm")
    answer = client.get(OPTIMIZE).get_json()
    sent = fake_llm.requests[0]
    assert sent.path == "/v1/chat/completions" and sent.headers["Authorization"] == "Bearer on-prem-key"
    assert sent.body["model"] == "qwen2.5-7b" and sent.body["stream"] is False
    assert "월 합계: 1,750,000원" in sent.body["messages"][-1]["content"] and sent.body["messages"][-1]["role"] == "user"
    assert answer["llm_used"] == "openai-compatible/qwen2.5-7b" and answer["model"] == "qwen2.5-7b"
    assert answer["optimization"] == "- 라이선스 회수\n- 회선 통합" and answer["source"] == "llm"


def _assert_rules(answer):
    """The five numbered rule-based tips, labelled truthfully."""
    assert answer["source"] == "rules" and answer["llm_used"] == "rules" and answer["model"] is None
    lines = answer["optimization"].split("\n")
    assert [line.split(".")[0] for line in lines] == ["1", "2", "3", "4", "5"]
    assert "소프트웨어 라이선스" in lines[0]  # the licence rule that fired comes first
    assert "AI 조언은 참고용입니다" in answer["disclaimer"]


def test_a_model_slower_than_the_timeout_gives_the_rules_within_timeout_plus_two_seconds(app, client, auth, june, fake_llm):
    app.config["OLLAMA_TIMEOUT"] = 1
    fake_llm.delay = 5
    auth.login("pm")
    started = time.monotonic()
    answer = client.get(OPTIMIZE).get_json()
    elapsed = time.monotonic() - started
    assert elapsed < 1 + 2, elapsed
    assert len(fake_llm.requests) == 1  # it was asked, and did not answer in time
    _assert_rules(answer)
    assert answer["fallback_reason"] == "모델이 제한 시간 안에 답하지 않았습니다."


@pytest.mark.parametrize(
    "failure, reason",
    [
        ("http500", "모델 서버가 오류로 응답했습니다."),
        ("empty", "모델이 빈 답을 보냈습니다."),
        ("not_json", "모델이 답하지 않았습니다."),
        ("unreachable", "모델 서버에 연결할 수 없습니다."),
    ],
)
def test_every_failure_gives_the_rules_quickly(app, client, auth, june, fake_llm, failure, reason):
    if failure == "http500":
        fake_llm.status = 500
    elif failure == "empty":
        fake_llm.reply = "  \n "
    elif failure == "not_json":
        fake_llm.raw_reply = b"<html>gateway</html>"
    else:
        app.config["OLLAMA_URL"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    auth.login("pm")
    started = time.monotonic()
    answer = client.get(OPTIMIZE).get_json()
    assert time.monotonic() - started < 2.5  # well under the 2 s timeout + 3 s the API would wait
    _assert_rules(answer)
    assert answer["fallback_reason"] == reason
    row = db_row(answer["advice_id"])
    assert row.source == "rules" and row.model is None and row.error


def db_row(advice_id):
    """The stored analysis."""
    from webapp.extensions import db

    return db.session.get(CostAdvice, advice_id)


def test_the_button_never_waits_and_the_area_fills_in(app, client, auth, june, fake_llm):
    app.config["OLLAMA_TIMEOUT"] = 8
    fake_llm.delay = 3
    fake_llm.reply = "요약 문단입니다.\n\n1. 첫째\n2. 둘째\n- 점검 항목"
    auth.login("pm")
    started = time.monotonic()
    response = ask(client)
    assert time.monotonic() - started < 2.0  # the model takes 3 s; the page does not wait for it
    fragment = response.get_data(as_text=True)
    assert 'data-state="pending"' in fragment and 'hx-trigger="load delay:1s"' in fragment
    assert 'data-testid="advice-progress"' in fragment
    advice_id = db_row_ids()[0]
    assert f'hx-get="/dashboard/advice/{advice_id}"' in fragment
    shown = poll(client, advice_id)
    assert 'data-state="done"' in shown and "hx-trigger" not in shown
    assert "<p>요약 문단입니다.</p>" in shown and "<ol><li>첫째</li><li>둘째</li></ol>" in shown
    assert "<ul><li>점검 항목</li></ul>" in shown
    assert "작성: ollama/llama3" in shown and "AI 조언은 참고용입니다" in shown


def db_row_ids():
    """Ids of the stored analyses, oldest first."""
    from webapp.extensions import db

    db.session.expire_all()
    return list(db.session.scalars(select(CostAdvice.id).order_by(CostAdvice.id)))


def test_markup_in_the_answer_is_shown_as_text(client, auth, june, fake_llm):
    fake_llm.reply = '1. <script>alert("x")</script> 라이선스 정리\n2. <b onmouseover="x()">굵게</b>'
    auth.login("pm")
    ask(client)
    shown = poll(client, db_row_ids()[0])
    assert "<script>alert" not in shown and "<b onmouseover" not in shown
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; 라이선스 정리" in shown
    assert "&lt;b onmouseover=" in shown


def test_rules_on_the_dashboard_say_so(app, client, auth, june, fake_llm):
    fake_llm.status = 500
    auth.login("pm")
    ask(client)
    shown = poll(client, db_row_ids()[0])
    assert 'data-source="rules"' in shown and "모델 서버가 오류로 응답했습니다." in shown
    assert "규칙 기반 절감 팁 다섯 가지" in shown and shown.count("<li>") == 5
    assert SECRET_SERVER in shown  # the idle-server rule names it to the user (only the prompt keeps it out)
    assert "작성: 규칙 (모델 없음)" in shown and "ollama/llama3</span>" not in shown


def test_the_answer_is_reused_until_the_months_costs_change(client, auth, june, fake_llm):
    auth.login("pm")
    first = client.get(OPTIMIZE).get_json()
    second = client.get(OPTIMIZE).get_json()
    assert first["cached"] is False and second["cached"] is True and len(fake_llm.requests) == 1
    assert second["optimization"] == first["optimization"] and second["advice_id"] == first["advice_id"]
    page = client.get("/dashboard?year=2025&month=6").get_data(as_text=True)
    assert 'data-state="done"' in page and "캐시" in page and 'data-testid="advice-again"' in page

    add_cost(june, 2025, 6, "NETWORK", "ERP", "250000")  # the month changed: the old answer no longer applies
    page = client.get("/dashboard?year=2025&month=6").get_data(as_text=True)
    assert 'data-state="none"' in page and 'data-testid="advice-ask"' in page
    third = client.get(OPTIMIZE).get_json()
    assert third["cached"] is False and len(fake_llm.requests) == 2
    assert "월 합계: 2,000,000원" in fake_llm.requests[1].body["prompt"]

    add_cost(june, 2025, 7, "NETWORK", "ERP", "250000")  # another month: June's answer stays
    assert client.get(OPTIMIZE).get_json()["cached"] is True and len(fake_llm.requests) == 2


def test_analyse_again_asks_the_model_even_when_nothing_changed(client, auth, june, fake_llm):
    auth.login("pm")
    ask(client)
    poll(client, db_row_ids()[0])
    fake_llm.reply = "1. 새 답변"
    response = ask(client, force="1")
    assert 'data-state="pending"' in response.get_data(as_text=True)
    shown = poll(client, db_row_ids()[-1])
    assert "<li>새 답변</li>" in shown and len(fake_llm.requests) == 2
    assert client.get(OPTIMIZE + "&refresh=1").get_json()["cached"] is False and len(fake_llm.requests) == 3


def test_a_plain_form_post_goes_back_to_the_dashboard(client, auth, june, fake_llm):
    auth.login("pm")
    response = client.post("/dashboard/advice", data={"year": "2025", "month": "6"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard?year=2025&month=6#advice")
    wait_for_embedded_jobs(timeout=30)
    page = client.get("/dashboard?year=2025&month=6").get_data(as_text=True)
    assert "<li>첫째 방안</li>" in page


def test_no_model_configured_gives_the_rules_at_once(app, client, auth, june, fake_llm):
    app.config["LLM_PROVIDER"] = "none"
    auth.login("pm")
    answer = client.get(OPTIMIZE).get_json()
    _assert_rules(answer)
    assert fake_llm.requests == []


def test_staff_is_refused_and_other_tenants_analyses_are_not_found(client, auth, june, other_tenant, fake_llm):
    auth.login("staff")
    assert client.get(OPTIMIZE).status_code == 403
    assert ask(client).status_code == 403
    assert fake_llm.requests == []
    from webapp.extensions import db

    foreign = CostAdvice(
        tenant_id=other_tenant.id,
        year=2025,
        month=6,
        fingerprint="x" * 64,
        status="DONE",
        source="llm",
        model="ollama/llama3",
        text="다른 기관의 조언",
    )
    db.session.add(foreign)
    db.session.commit()
    auth.logout()
    auth.login("pm")
    assert client.get(f"/dashboard/advice/{foreign.id}", headers=HX).status_code == 404


def test_bad_month_is_refused(client, auth, june, fake_llm):
    auth.login("pm")
    response = client.get("/api/finops/optimize?year=2025&month=13")
    assert response.status_code == 400 and "month" in response.get_json()["errors"]
    assert fake_llm.requests == []
