"""AI saving advice on the on-premises LLM (SPEC §3.8), with the rule-based tips as the fallback.

client.py   Ollama /api/generate and OpenAI-compatible /v1/chat/completions (standard library only)
prompt.py   the Korean prompt: the month's aggregates, never descriptions, names or user data
tips.py     the five rule-based tips
render.py   the model's text as escaped blocks with its lists kept
service.py  reuse per tenant and month (fingerprint of the figures), the job, the API answer
"""

from .service import advice_view, optimize, request_advice, run_advice_job

__all__ = ["advice_view", "optimize", "request_advice", "run_advice_job"]
