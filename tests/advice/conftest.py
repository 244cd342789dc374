"""Fixtures for the advice tests: a fake LLM server on loopback, the app pointed at it, a month of costs."""

import pytest

from ..factories import add_budget, add_cost, add_server
from .fake_llm import FakeLLM

SECRET_DESCRIPTION = "비공개 계약 메모 ZX-7731"
SECRET_SERVER = "secret-db-ZX9"


@pytest.fixture
def fake_llm():
    """An Ollama-speaking server on a free loopback port (switch `.api` to "openai" for the other dialect)."""
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def app_config(fake_llm):
    """The app asks the fake server, with a short timeout so the failure paths stay quick."""
    return {"LLM_PROVIDER": "ollama", "OLLAMA_URL": fake_llm.url, "OLLAMA_MODEL": "llama3", "OLLAMA_TIMEOUT": 2}


@pytest.fixture
def june(tenant, other_tenant):
    """May and June 2025 of the tenant (June: 1,750,000), with a description and an idle server that must stay private."""
    add_cost(tenant, 2025, 5, "SERVER", "ERP", "1000000")
    add_cost(tenant, 2025, 6, "SERVER", "ERP", "1000000", description=SECRET_DESCRIPTION)
    add_cost(tenant, 2025, 6, "LICENSE", "GROUPWARE", "600000")
    idle = add_server(tenant, SECRET_SERVER, year=2025, month=6, cpu="2")
    add_cost(tenant, 2025, 6, "SERVER", "INFRA", "150000", server=idle)
    add_budget(tenant, 2025, 6, "2000000")
    add_cost(other_tenant, 2025, 6, "SERVER", "ERP", "99999999")
    return tenant
