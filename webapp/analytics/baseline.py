"""Anomalies against each service's usual level (SPEC §3.5 baseline), not only against the previous month.

For every service the baseline is the previous BASELINE_MONTHS (6) calendar months.  A month with
no cost counts as zero, but only from the service's first cost on (a service started three months
ago has a three-month baseline).  From those amounts:

    expected = the median
    spread   = the median absolute deviation from it × 1.4826 (a robust standard deviation)
    band     = expected ± 3 × spread (the lower end not below zero)

A month is flagged when it lies both at least the threshold T % away from the expected amount and
outside the band.  With a spread of zero (a steady service) the band is the expected amount itself,
so the threshold alone decides.  A service with nothing to compare with — no earlier cost, or a
baseline of zero — that has cost this month is flagged NEW.  One odd month cannot hide a change:
the median ignores it, as it ignores a one-off spike when the next month comes.

The impact is actual − expected, split over the categories exactly (to the cent): the expected
amount is shared among the categories in proportion to their part of the baseline months, and a
category's contribution is its actual amount minus its share, so the contributions sum to the impact.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import func, select, tuple_

from ..extensions import db
from ..models import CATEGORIES, SERVICES
from ..models import CostMonthlyTotal as T
from ..validation import CENT, check_month, check_year
from .periods import check_threshold, month_span, percent, period_label, previous_month
from .rules import DEFAULT_THRESHOLD

BASELINE_MONTHS = 6
BAND_WIDTH = Decimal(3)  # how many robust spreads from the median still count as usual
MAD_SCALE = Decimal("1.4826")  # makes the median absolute deviation comparable with a standard deviation
CRITICAL_AT = Decimal("50")
ZERO = Decimal("0.00")


def median(values: list[Decimal]) -> Decimal:
    """The middle value (the mean of the two middle ones for an even count)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def robust_spread(values: list[Decimal], centre: Decimal) -> Decimal:
    """The median absolute deviation from `centre`, scaled by 1.4826."""
    return median([abs(value - centre) for value in values]) * MAD_SCALE


def split_exactly(total: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """`total` shared in proportion to `weights`, in cents that add up to `total` exactly (largest remainder)."""
    weight_sum = sum(weights.values(), Decimal(0))
    if not weights or weight_sum == 0:
        return dict.fromkeys(weights, ZERO)
    raw = {key: total * weight / weight_sum for key, weight in weights.items()}
    shares = {key: value.quantize(CENT, rounding=ROUND_FLOOR) for key, value in raw.items()}
    cents_left = int((total - sum(shares.values(), Decimal(0))) / CENT)
    for key in sorted(raw, key=lambda k: (-(raw[k] - shares[k]), list(weights).index(k)))[:cents_left]:
        shares[key] += CENT
    return shares


def _month_index(year: int, month: int) -> int:
    """Months since year 0, for comparing calendar months."""
    return year * 12 + month - 1


def _cells(tenant_id: int, first: tuple[int, int], last: tuple[int, int]) -> dict[tuple[int, int], dict]:
    """{(year, month): {(service, category): amount}} of the rollup from first to last (one query)."""
    rows = db.session.execute(
        select(T.year, T.month, T.service, T.category, T.amount).where(
            T.tenant_id == tenant_id,
            T.item_count > 0,
            tuple_(T.year, T.month) >= tuple_(*first),
            tuple_(T.year, T.month) <= tuple_(*last),
        )
    ).all()
    found: dict[tuple[int, int], dict] = {}
    for year, month, service, category, amount in rows:
        found.setdefault((year, month), {})[(service, category)] = Decimal(amount)
    return found


def _first_cost_months(tenant_id: int, last: tuple[int, int]) -> dict[str, int]:
    """{service: month index of its first cost} up to `last` (one query)."""
    index = T.year * 12 + T.month - 1
    rows = db.session.execute(
        select(T.service, func.min(index))
        .where(T.tenant_id == tenant_id, T.item_count > 0, tuple_(T.year, T.month) <= tuple_(*last))
        .group_by(T.service)
    ).all()
    return {service: int(first) for service, first in rows}


def _service_amounts(cells: dict, service: str) -> dict[str, Decimal]:
    """{category: amount} of one service in one month's cells."""
    return {category: amount for (svc, category), amount in cells.items() if svc == service}


def _contributors(actual: dict[str, Decimal], baseline_sums: dict[str, Decimal], expected: Decimal) -> list[dict]:
    """Per category: actual, its share of the expected amount, and the difference; largest |difference| first."""
    expected_parts = split_exactly(expected, {c: baseline_sums.get(c, ZERO) for c in CATEGORIES})
    rows = []
    for category in CATEGORIES:
        now, usual = actual.get(category, ZERO), expected_parts.get(category, ZERO)
        if now != usual:
            rows.append(
                {
                    "category": category,
                    "label": CATEGORIES[category],
                    "curr_amount": now,
                    "expected_amount": usual,
                    "impact_amount": now - usual,
                    "change_amount": now - usual,
                }
            )
    return sorted(rows, key=lambda row: -abs(row["impact_amount"]))


def baseline_anomalies(tenant_id: int, year: int, month: int, threshold=DEFAULT_THRESHOLD, months: int = BASELINE_MONTHS) -> dict:
    """Services whose month lies outside their usual level (see the module text); NEW ones first, then by |change|."""
    year, month, threshold = check_year(year), check_month(month), check_threshold(threshold)
    window = month_span(previous_month(year, month), months)
    cells = _cells(tenant_id, window[0], (year, month))
    first_cost = _first_cost_months(tenant_id, (year, month))
    current = cells.get((year, month), {})
    found = []
    for service in SERVICES:
        actual_parts = _service_amounts(current, service)
        actual = sum(actual_parts.values(), ZERO)
        started = first_cost.get(service)
        history_months = [m for m in window if started is not None and _month_index(*m) >= started]
        history = [sum(_service_amounts(cells.get(m, {}), service).values(), ZERO) for m in history_months]
        previous = sum(_service_amounts(cells.get(window[-1], {}), service).values(), ZERO)
        baseline_sums: dict[str, Decimal] = {}
        for m in history_months:
            for category, amount in _service_amounts(cells.get(m, {}), service).items():
                baseline_sums[category] = baseline_sums.get(category, ZERO) + amount
        expected = median(history).quantize(CENT) if history else ZERO
        if expected <= 0:
            if actual > 0:
                found.append(
                    _anomaly(
                        service,
                        actual,
                        previous,
                        ZERO,
                        ZERO,
                        ZERO,
                        ZERO,
                        None,
                        "NEW",
                        "WARNING",
                        len(history),
                        _contributors(actual_parts, {}, ZERO),
                    )
                )
            continue
        spread = robust_spread(history, expected).quantize(CENT)
        low, high = max(expected - BAND_WIDTH * spread, ZERO), expected + BAND_WIDTH * spread
        change = percent(actual - expected, expected)
        if abs(change) >= threshold and not low <= actual <= high:
            found.append(
                _anomaly(
                    service,
                    actual,
                    previous,
                    expected,
                    spread,
                    low,
                    high,
                    change,
                    "UP" if actual > expected else "DOWN",
                    "CRITICAL" if abs(change) >= CRITICAL_AT else "WARNING",
                    len(history),
                    _contributors(actual_parts, baseline_sums, expected),
                )
            )
    found.sort(key=lambda a: (a["change_pct"] is not None, -abs(a["change_pct"] or 0), -a["curr_amount"]))
    prev_year, prev_month = previous_month(year, month)
    return {
        "year": year,
        "month": month,
        "period": period_label(year, month),
        "method": "baseline",
        "threshold_pct": threshold,
        "baseline_months": months,
        "band_width": BAND_WIDTH,
        "baseline_start": period_label(*window[0]),
        "baseline_end": period_label(*window[-1]),
        "prev_period": period_label(prev_year, prev_month),
        "anomaly_count": len(found),
        "anomalies": found,
    }


def _anomaly(
    service, actual, previous, expected, spread, low, high, change, direction, severity, history_count, contributors
) -> dict:
    """One flagged service with the seed's fields (curr/prev amount, change %) and the baseline's."""
    return {
        "service": service,
        "curr_amount": actual,
        "prev_amount": previous,
        "change_pct": change,
        "direction": direction,
        "severity": severity,
        "expected_amount": expected,
        "impact_amount": actual - expected,
        "change_amount": actual - expected,
        "band_low": low,
        "band_high": high,
        "spread": spread,
        "baseline_month_count": history_count,
        "contributors": contributors,
    }
