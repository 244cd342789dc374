"""Production path: the analysis job runs in a real `rq worker` process (PostgreSQL + Redis) and asks the model itself."""

import pytest
from sqlalchemy import select

from webapp.models import CostAdvice

from ..schedules.conftest import redis_app_config, start_rq_worker  # noqa: F401 (fixture)

pytestmark = [pytest.mark.redis, pytest.mark.postgres_only]  # the worker process shares the database: PostgreSQL

HX = {"HX-Request": "true"}


@pytest.fixture
def app_config(fake_llm, redis_app_config):  # noqa: F811
    """Redis queue of this test; the model settings reach the worker through its environment."""
    return {**redis_app_config, "LLM_PROVIDER": "ollama", "OLLAMA_URL": fake_llm.url, "OLLAMA_TIMEOUT": 10}


def test_a_worker_process_asks_the_model_and_the_block_fills_in(app, client, auth, db, june, fake_llm):
    fake_llm.reply = "1. 워커가 받은 답"
    auth.login("pm")
    fragment = client.post("/dashboard/advice", data={"year": "2025", "month": "6"}, headers=HX).get_data(as_text=True)
    assert 'data-state="pending"' in fragment and fake_llm.requests == []  # queued in Redis, nothing asked yet
    worker = start_rq_worker(app, OLLAMA_URL=fake_llm.url, OLLAMA_MODEL="llama3", OLLAMA_TIMEOUT="10")
    _out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err[-3000:]
    assert len(fake_llm.requests) == 1 and "월 합계: 1,750,000원" in fake_llm.requests[0].body["prompt"]
    advice = db.session.scalar(select(CostAdvice))
    shown = client.get(f"/dashboard/advice/{advice.id}", headers=HX).get_data(as_text=True)
    assert "<li>워커가 받은 답</li>" in shown and "작성: ollama/llama3" in shown
