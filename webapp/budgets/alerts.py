"""Budget alerts (SPEC §3.7): e-mail the tenant's ADMINs and PMs when a budget's usage crosses 90 % and 110 %.

    costs_changed(tenant_id, months)    call after committing any change to costs (forms, API, imports, undo)
    budgets_changed(tenant_id, months)  the same for budgets
Both only queue a check (a background job, never on the request path); the scheduler's daily
maintenance checks every tenant as well, so a change that could not be queued is caught the next day.

A month's usage (actual ÷ budget, ALL or one service) has a level: 0, 90 (usage ≥ 90 %) or 110
(usage ≥ 110 %; a zero budget with spending counts as 110).  The level last seen is kept in
budget_watches; when a check finds a higher level it raises one alert (for the highest level
reached) and e-mails each ADMIN and PM once; a lower level is stored silently, so crossing again
after falling back below is a new crossing, while an edit that stays above tells nobody.  The
level moves by compare-and-set, so two checks running at once never tell the same crossing twice.
The year-end forecast of the current year raises one alert when it first exceeds the annual budget.
Alerts cover this year and last year; the first full check starts watching the months before last
month without telling anyone, so an upgrade does not mail a year of history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import func, select, update

from ..analytics.periods import current_month, percent, period_label, previous_month
from ..extensions import db, mail
from ..i18n import tenant_context
from ..jobs import enqueue
from ..models import BudgetAlert, BudgetAlertRecipient, BudgetWatch, Tenant, User, utcnow
from ..models import CostMonthlyTotal as T
from ..models.finops import BUDGET_SCOPE_ALL, Budget
from ..schedules.delivery import max_attempts, retry_intervals
from ..schedules.sql import insert_on_conflict
from .year import budget_scopes, scope_year, year_facts

log = logging.getLogger(__name__)

WARNING_LEVEL, OVER_LEVEL = 90, 110
FORECAST_LEVEL = 100
NOTIFIED_ROLES = ("ADMIN", "PM")
ZERO = Decimal("0.00")


# --- the hooks other areas call ------------------------------------------------------------------


def costs_changed(tenant_id: int, months: Iterable[tuple[int, int]]) -> None:
    """Costs of these (year, month)s changed and were committed: check the budget alerts in the background."""
    _queue_check(tenant_id, months)


def budgets_changed(tenant_id: int, months: Iterable[tuple[int, int]]) -> None:
    """Budgets of these (year, month)s changed and were committed: check the budget alerts in the background."""
    _queue_check(tenant_id, months)


def _queue_check(tenant_id: int, months: Iterable[tuple[int, int]]) -> None:
    """Queue check_alerts_job; a queue outage is logged, never raised (the daily check catches up)."""
    wanted = sorted({(int(year), int(month)) for year, month in months})
    try:
        enqueue(check_alerts_job, tenant_id, wanted)
    except Exception as exc:  # noqa: BLE001 — the change itself is saved; alerts must not undo it
        log.warning("budget alert check for tenant %s could not be queued: %s", tenant_id, exc)


def check_alerts_job(tenant_id: int, months: list | None = None) -> list[int]:
    """The background job: check the months (all of this year and last when None); returns the new alerts' ids."""
    return check_budget_alerts(tenant_id, [tuple(m) for m in months] if months is not None else None)


def check_every_tenant() -> int:
    """Daily: check every tenant's budgets of this year and last; returns how many alerts were raised."""
    raised = 0
    for tenant_id in db.session.scalars(select(Tenant.id).order_by(Tenant.id)).all():
        try:
            raised += len(check_budget_alerts(tenant_id))
        except Exception:  # noqa: BLE001 — one tenant's problem must not stop the others
            db.session.rollback()
            log.exception("budget alert check for tenant %s failed", tenant_id)
    return raised


# --- the check ------------------------------------------------------------------------------------


def usage_level(actual: Decimal, budget: Decimal | None) -> tuple[int, Decimal | None]:
    """(level 0/90/110, usage % with one decimal) of a month's actual against its budget."""
    if budget is None:
        return 0, None
    if budget == 0:
        return (OVER_LEVEL if actual > 0 else 0), None
    usage = percent(actual, budget)
    return (OVER_LEVEL if usage >= OVER_LEVEL else WARNING_LEVEL if usage >= WARNING_LEVEL else 0), usage


def _month_figures(tenant_id: int, years: tuple[int, int]) -> tuple[dict, dict]:
    """({(year, month, scope): budget}, {(year, month, scope): actual}) for the two years (two queries)."""
    budgets = {
        (year, month, service): Decimal(amount)
        for year, month, service, amount in db.session.execute(
            select(Budget.year, Budget.month, Budget.service, Budget.amount).where(
                Budget.tenant_id == tenant_id, Budget.year.in_(years)
            )
        )
    }
    actuals: dict[tuple[int, int, str], Decimal] = {}
    for year, month, service, amount in db.session.execute(
        select(T.year, T.month, T.service, func.sum(T.amount))
        .where(T.tenant_id == tenant_id, T.year.in_(years), T.item_count > 0)
        .group_by(T.year, T.month, T.service)
    ):
        actuals[(year, month, service)] = Decimal(amount)
        actuals[(year, month, BUDGET_SCOPE_ALL)] = actuals.get((year, month, BUDGET_SCOPE_ALL), ZERO) + Decimal(amount)
    return budgets, actuals


def check_budget_alerts(
    tenant_id: int, months: Iterable[tuple[int, int]] | None = None, today: tuple[int, int] | None = None
) -> list[int]:
    """Raise an alert for every crossing since the last check (see the module text); returns the new alerts' ids."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        return []
    today = today or current_month(tenant.timezone)
    years = (today[0] - 1, today[0])
    wanted = None if months is None else {tuple(m) for m in months}
    # A full check starts watching older months silently: a first run (or an upgrade) tells nobody about history,
    # only about the months still open (this one and the last) and, from then on, about every change.
    quiet_before = previous_month(*today) if months is None else None
    budgets, actuals = _month_figures(tenant_id, years)
    watches = {
        (w.kind, w.year, w.month, w.service): w
        for w in db.session.scalars(select(BudgetWatch).where(BudgetWatch.tenant_id == tenant_id, BudgetWatch.year.in_(years)))
    }
    scopes = set(budgets) | {(y, m, s) for (kind, y, m, s), w in watches.items() if kind == "USAGE" and w.level > 0}
    raised = []
    for year, month, scope in sorted(scopes):
        if wanted is not None and (year, month) not in wanted:
            continue
        budget, actual = budgets.get((year, month, scope)), actuals.get((year, month, scope), ZERO)
        level, usage = usage_level(actual, budget)
        watch = watches.get(("USAGE", year, month, scope))
        old = watch.level if watch is not None else 0
        if level == old or not _move(tenant_id, "USAGE", year, month, scope, watch, old, level):
            continue
        if level > old and not (watch is None and quiet_before is not None and (year, month) < quiet_before):
            raised.append(_raise(tenant_id, "USAGE", year, month, scope, level, usage, budget, actual))
    raised.extend(_check_forecasts(tenant_id, today, watches))
    db.session.commit()
    for alert in raised:
        _queue_emails(alert.id)
    return [alert.id for alert in raised]


def _check_forecasts(tenant_id: int, today: tuple[int, int], watches: dict) -> list[BudgetAlert]:
    """One alert per scope the first time this year's forecast exceeds its annual budget (never repeated that year)."""
    facts = year_facts(tenant_id, today[0], today)
    raised = []
    for scope in budget_scopes(facts):
        year = scope_year(facts, scope)
        forecast, annual = year["forecast_year_end"], year["annual_budget"]
        watch = watches.get(("FORECAST", today[0], 0, scope))
        if forecast is None or annual is None or forecast <= annual or (watch is not None and watch.level):
            continue
        if _move(tenant_id, "FORECAST", today[0], 0, scope, watch, 0, FORECAST_LEVEL):
            raised.append(
                _raise(tenant_id, "FORECAST", today[0], None, scope, FORECAST_LEVEL, year["forecast_usage_pct"], annual, forecast)
            )
    return raised


def _move(tenant_id: int, kind: str, year: int, month: int, scope: str, watch: BudgetWatch | None, old: int, new: int) -> bool:
    """Set the watched level from `old` to `new` unless another check did first; True when this call did it."""
    now = utcnow()
    if watch is None:
        table = BudgetWatch.__table__
        inserted = db.session.execute(
            insert_on_conflict(table)
            .values(tenant_id=tenant_id, kind=kind, year=year, month=month, service=scope, level=new, updated_at=now)
            .on_conflict_do_nothing()
            .returning(table.c.id)
        ).first()
        return inserted is not None
    result = db.session.execute(
        update(BudgetWatch)
        .where(BudgetWatch.id == watch.id, BudgetWatch.level == old)
        .values(level=new, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _raise(tenant_id: int, kind: str, year: int, month: int | None, scope: str, level: int, usage, budget, actual) -> BudgetAlert:
    """Record an alert and one recipient row per active ADMIN and PM of the tenant (in the caller's transaction)."""
    alert = BudgetAlert(
        tenant_id=tenant_id,
        kind=kind,
        year=year,
        month=month,
        service=scope,
        threshold_pct=level,
        usage_pct=usage,
        budget_amount=budget if budget is not None else ZERO,
        actual_amount=actual,
        created_at=utcnow(),
    )
    db.session.add(alert)
    db.session.flush()
    seen = set()
    for user_id, email in db.session.execute(
        select(User.id, User.email)
        .where(User.tenant_id == tenant_id, User.active.is_(True), User.role.in_(NOTIFIED_ROLES))
        .order_by(User.id)
    ):
        address = (email or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            db.session.add(
                BudgetAlertRecipient(
                    alert_id=alert.id,
                    tenant_id=tenant_id,
                    user_id=user_id,
                    email=address,
                    status="PENDING",
                    attempts=0,
                    created_at=alert.created_at,
                )
            )
    log.info("budget alert %s: tenant %s %s %s-%s %s reached %s %%", alert.id, tenant_id, kind, year, month, scope, level)
    return alert


# --- e-mail ---------------------------------------------------------------------------------------


def _queue_emails(alert_id: int) -> None:
    """One sending job per recipient, retried like report e-mails."""
    recipient_ids = db.session.scalars(
        select(BudgetAlertRecipient.id).where(BudgetAlertRecipient.alert_id == alert_id, BudgetAlertRecipient.status == "PENDING")
    ).all()
    for recipient_id in recipient_ids:
        try:
            enqueue(
                send_alert_email_job,
                recipient_id,
                retry_intervals=retry_intervals(),
                timeout=max(60, int(current_app.config.get("MAIL_TIMEOUT", 10)) * 3),
            )
        except Exception as exc:  # noqa: BLE001 — the alert is recorded; its e-mail shows as pending
            log.warning("alert e-mail %s could not be queued: %s", recipient_id, exc)


def send_alert_email_job(recipient_id: int) -> str | None:
    """Send one alert e-mail; raise to let the queue retry, or record FAILED after the last attempt."""
    recipient = db.session.get(BudgetAlertRecipient, recipient_id)
    if recipient is None or recipient.status != "PENDING":
        return getattr(recipient, "status", None)
    recipient.attempts += 1
    db.session.commit()
    try:
        alert_message(recipient).send()
    except Exception as exc:  # noqa: BLE001 — SMTP errors of every kind count as a failed attempt
        recipient.last_error = (str(exc) or type(exc).__name__)[:1000]
        final = recipient.attempts >= max_attempts()
        if final:
            recipient.status = "FAILED"
        db.session.commit()
        log.warning(
            "alert e-mail %s to %s failed (attempt %s): %s",
            recipient.id,
            recipient.email,
            recipient.attempts,
            recipient.last_error,
        )
        if not final:
            raise
        return "FAILED"
    recipient.status, recipient.sent_at, recipient.last_error = "SENT", utcnow(), None
    db.session.commit()
    return "SENT"


def page_link(endpoint: str, **values) -> str:
    """An absolute link to a page of the app under BASE_URL (jobs have no request to build it from)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def alert_message(recipient: BudgetAlertRecipient) -> EmailMultiAlternatives:
    """The alert e-mail (plain text and HTML) in the tenant's language, with the figures and a link to the year view."""
    alert = recipient.alert
    tenant = db.session.get(Tenant, alert.tenant_id)
    with tenant_context(tenant):
        context = {
            "tenant": tenant,
            "alert": alert,
            "currency": tenant.currency or "KRW",
            "scope_name": _("Institution total") if alert.service == BUDGET_SCOPE_ALL else alert.service,
            "period": period_label(alert.year, alert.month) if alert.month else str(alert.year),
            "link": page_link("budgets.year_view", year=alert.year, service=alert.service),
        }
        if alert.kind == "FORECAST":
            subject = _(
                "[%(tenant)s] Budget alert: the %(year)s forecast for %(scope)s exceeds the annual budget",
                tenant=tenant.name,
                year=alert.year,
                scope=context["scope_name"],
            )
        else:
            subject = _(
                "[%(tenant)s] Budget alert: %(scope)s %(period)s reached %(level)s%% of its budget",
                tenant=tenant.name,
                scope=context["scope_name"],
                period=context["period"],
                level=alert.threshold_pct,
            )
        text = render_template("budgets/email/alert.txt", **context)
        html = render_template("budgets/email/alert.html", **context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[recipient.email],
        headers={"X-Tenant": tenant.slug, "X-Budget-Alert-Id": str(alert.id)},
        connection=mail.get_connection(),
    )
    message.attach_alternative(html, "text/html")
    return message


# --- reading alerts -------------------------------------------------------------------------------


def year_alerts(tenant_id: int, year: int, month: int | None = None) -> list[BudgetAlert]:
    """The tenant's alerts of a year (or of one month, with the year's forecast alerts), newest first."""
    query = select(BudgetAlert).where(BudgetAlert.tenant_id == tenant_id, BudgetAlert.year == year)
    if month is not None:
        query = query.where((BudgetAlert.month == month) | BudgetAlert.month.is_(None))
    return list(db.session.scalars(query.order_by(BudgetAlert.id.desc())))


def alert_json(alert: BudgetAlert) -> dict:
    """One alert as the API shows it: what crossed, the figures, and who was told when."""
    return {
        "id": alert.id,
        "kind": alert.kind,
        "year": alert.year,
        "month": alert.month,
        "period": period_label(alert.year, alert.month) if alert.month else str(alert.year),
        "service": alert.service,
        "threshold_pct": alert.threshold_pct,
        "usage_pct": alert.usage_pct,
        "budget": alert.budget_amount,
        "actual": alert.actual_amount,
        "created_at": alert.created_at,
        "recipients": [
            {"username": r.user.username if r.user else None, "email": r.email, "status": r.status, "sent_at": r.sent_at}
            for r in alert.recipients
        ],
    }
