"""AI advice for a month: reuse, queue, run, and the answer the dashboard and the API show.

    request_advice(tenant, year, month, user, force)  → (row, cached)   never waits for the model
    run_advice_job(advice_id)                          the background job: asks the model, else the rules
    advice_view(row, tenant)                           what to show: pending, the model's text, or the five tips
    optimize(tenant, year, month, user, force)         the API answer: waits for the job at most timeout + a few s

A month's analysis is reused while the month's figures are unchanged: each row carries a
fingerprint of the month's rollup rows, the prompt built from them and the model asked, so a
changed cost (or a new model) means a new run.  An answer from the rules (the model failed) is
reused only for FALLBACK_REUSE, so the model is asked again soon after it comes back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import analytics
from ..analytics import totals
from ..extensions import db
from ..i18n import tenant_context
from ..jobs import enqueue
from ..models import CostAdvice, Tenant, utcnow
from .client import LLMSettings, LLMUnavailable, generate
from .prompt import PROMPT_VERSION, SYSTEM, build_prompt
from .render import advice_blocks
from .tips import fallback_reason, rule_tips, tips_text

log = logging.getLogger(__name__)

FALLBACK_REUSE = timedelta(minutes=10)  # a rules answer is kept this long, then the model is asked again
STALE_GRACE = 120  # seconds past the model timeout after which a queued or running analysis counts as lost
API_GRACE = 3  # seconds the API waits beyond the model timeout before it answers with the rules
POLL_SECONDS = 0.2


def llm_settings() -> LLMSettings:
    """The configured model server (LLM_* / OLLAMA_* settings)."""
    return LLMSettings.from_config(current_app.config)


def disclaimer() -> str:
    """The note every answer carries, in the reader's language."""
    return _("AI advice is for reference only. Check the figures before acting on it.")


@dataclass
class AdviceInputs:
    """The month's figures behind one analysis, the prompt built from them and its fingerprint."""

    summary: dict
    anomalies: dict
    recommendations: dict
    prompt: str
    fingerprint: str


def advice_inputs(
    tenant: Tenant,
    year: int,
    month: int,
    settings: LLMSettings | None = None,
    *,
    summary: dict | None = None,
    anomalies: dict | None = None,
    recommendations: dict | None = None,
) -> AdviceInputs:
    """Summary, baseline anomalies (default threshold) and rules of the month, the prompt and its fingerprint.

    A caller that has computed some of these already (the dashboard) passes them in.
    """
    settings = settings or llm_settings()
    summary = summary or analytics.monthly_summary(tenant.id, year, month)
    anomalies = anomalies or analytics.baseline_anomalies(tenant.id, year, month)
    recommendations = recommendations or analytics.recommendations(tenant.id, year, month)
    prompt = build_prompt(summary, anomalies, recommendations, tenant.currency or "KRW")
    cells = sorted(
        (service, category, str(amount), count)
        for (service, category), (amount, count) in totals.month_cells(tenant.id, year, month).items()
    )
    material = json.dumps(
        {"version": PROMPT_VERSION, "model": settings.label, "cells": cells, "prompt": prompt}, ensure_ascii=False, sort_keys=True
    )
    return AdviceInputs(summary, anomalies, recommendations, prompt, hashlib.sha256(material.encode()).hexdigest())


def is_stale(row: CostAdvice, settings: LLMSettings) -> bool:
    """True for a queued or running analysis that should have finished long ago (its worker is gone)."""
    return row.pending and utcnow() - row.created_at > timedelta(seconds=settings.timeout + STALE_GRACE)


def current_advice(
    tenant_id: int, year: int, month: int, fingerprint: str, settings: LLMSettings | None = None
) -> CostAdvice | None:
    """The newest analysis of the month over these very figures that is still worth showing, if any."""
    settings = settings or llm_settings()
    row = db.session.scalar(
        select(CostAdvice)
        .where(
            CostAdvice.tenant_id == tenant_id,
            CostAdvice.year == year,
            CostAdvice.month == month,
            CostAdvice.fingerprint == fingerprint,
        )
        .order_by(CostAdvice.id.desc())
        .limit(1)
    )
    if row is None or row.status == "FAILED" or is_stale(row, settings):
        return None
    if row.status == "DONE" and row.source == "rules" and utcnow() - (row.finished_at or row.created_at) > FALLBACK_REUSE:
        return None
    return row


def request_advice(
    tenant: Tenant, year: int, month: int, user=None, force: bool = False, inputs: AdviceInputs | None = None
) -> tuple[CostAdvice, bool]:
    """The month's analysis: reused when the figures are unchanged (cached=True), else a new one queued."""
    settings = llm_settings()
    inputs = inputs or advice_inputs(tenant, year, month, settings)
    if not force:
        found = current_advice(tenant.id, year, month, inputs.fingerprint, settings)
        if found is not None:
            return found, True
    row = CostAdvice(
        tenant_id=tenant.id,
        year=year,
        month=month,
        fingerprint=inputs.fingerprint,
        status="QUEUED",
        requested_by_id=getattr(user, "id", None),
        created_at=utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    if not settings.enabled:
        _finish_with_rules(row, f"LLM_PROVIDER is {settings.provider!r}: rule-based tips only")
        return row, False
    try:
        enqueue(run_advice_job, row.id, timeout=int(settings.timeout) + 60)
    except Exception as exc:  # noqa: BLE001 — the queue is down: answer with the rules now rather than never
        log.warning("advice %s could not be queued: %s", row.id, exc)
        _finish_with_rules(row, f"the job queue is unavailable: {exc}")
    return row, False


def _finish_with_rules(row: CostAdvice, error: str) -> None:
    """Close an analysis as answered by the rules, recording why."""
    row.status, row.source, row.model, row.error = "DONE", "rules", None, error[:2000]
    row.finished_at = utcnow()
    db.session.commit()


def run_advice_job(advice_id: int) -> str | None:
    """Ask the model about the month as it is now; on any failure keep the rule-based tips instead."""
    row = db.session.get(CostAdvice, advice_id)
    if row is None or row.status != "QUEUED":
        return getattr(row, "status", None)
    row.status, row.started_at = "RUNNING", utcnow()
    db.session.commit()
    tenant = db.session.get(Tenant, row.tenant_id)
    settings = llm_settings()
    with tenant_context(tenant):
        inputs = advice_inputs(tenant, row.year, row.month, settings)
        row.fingerprint = inputs.fingerprint  # the figures actually sent
        try:
            text = generate(settings, inputs.prompt, SYSTEM)
        except LLMUnavailable as exc:
            log.info("advice %s: %s; the rule-based tips answer instead", row.id, exc)
            row.text = tips_text(rule_tips(inputs.summary, inputs.recommendations, tenant.currency or "KRW"))
            _finish_with_rules(row, str(exc))
            return "rules"
    row.status, row.source, row.model, row.text, row.error = "DONE", "llm", settings.label, text, None
    row.finished_at = utcnow()
    db.session.commit()
    return "llm"


def advice_view(row: CostAdvice | None, tenant: Tenant, cached: bool = False, inputs: AdviceInputs | None = None) -> dict:
    """What the dashboard and the API show for an analysis (None: nothing asked yet)."""
    settings = llm_settings()
    if row is None:
        return {"state": "none", "model_label": settings.label if settings.enabled else None}
    base = {
        "id": row.id,
        "year": row.year,
        "month": row.month,
        "cached": cached,
        "status": row.status,
        "disclaimer": disclaimer(),
        "model_label": settings.label if settings.enabled else None,
    }
    if row.pending and not is_stale(row, settings):
        return {**base, "state": "pending", "requested_at": row.created_at}
    if row.status == "DONE" and row.source == "llm":
        return {
            **base,
            "state": "done",
            "source": "llm",
            "llm_used": row.model,
            "model": row.model.split("/", 1)[-1],
            "text": row.text,
            "blocks": advice_blocks(row.text),
            "generated_at": row.finished_at,
            "reason": None,
        }
    inputs = inputs or advice_inputs(tenant, row.year, row.month, settings)
    tips = rule_tips(inputs.summary, inputs.recommendations, tenant.currency or "KRW")
    error = row.error if not row.pending else "no answer within the timeout"
    return {
        **base,
        "state": "done",
        "source": "rules",
        "llm_used": "rules",
        "model": None,
        "text": tips_text(tips),
        "blocks": [{"kind": "ol", "items": tips}],
        "generated_at": row.finished_at or utcnow(),
        "reason": fallback_reason(error),
    }


def wait_for(advice_id: int, seconds: float) -> CostAdvice:
    """The analysis once it has finished, or as it stands after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        db.session.rollback()  # end the read transaction so the job's commit becomes visible
        row = db.session.get(CostAdvice, advice_id, populate_existing=True)
        if not row.pending or time.monotonic() >= deadline:
            return row
        time.sleep(POLL_SECONDS)


def optimize(tenant: Tenant, year: int, month: int, user=None, force: bool = False) -> dict:
    """GET /api/finops/optimize: the seed's fields plus source, model, cached and generated_at."""
    settings = llm_settings()
    inputs = advice_inputs(tenant, year, month, settings)
    row, cached = request_advice(tenant, year, month, user=user, force=force, inputs=inputs)
    if row.pending:
        row = wait_for(row.id, settings.timeout + API_GRACE)
    view = advice_view(row, tenant, cached=cached, inputs=inputs)
    if view["state"] == "pending":  # the job is late: answer with the rules now, it will fill the cache later
        tips = rule_tips(inputs.summary, inputs.recommendations, tenant.currency or "KRW")
        view = {
            "source": "rules",
            "llm_used": "rules",
            "model": None,
            "text": tips_text(tips),
            "cached": False,
            "generated_at": utcnow(),
            "status": row.status,
            "reason": fallback_reason("no answer within the timeout"),
        }
    summary = inputs.summary
    return {
        "year": summary["year"],
        "month": summary["month"],
        "total_amount": summary["total_amount"],
        "by_category": summary["by_category"],
        "optimization": view["text"],
        "llm_used": view["llm_used"],
        "disclaimer": disclaimer(),
        "source": view["source"],
        "model": view["model"],
        "cached": view["cached"],
        "generated_at": view["generated_at"],
        "advice_id": row.id,
        "status": row.status,
        "fallback_reason": view["reason"],
    }
