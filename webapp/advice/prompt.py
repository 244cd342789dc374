"""The prompt sent to the model: the month's aggregates in Korean, and nothing else.

Only figures and the product's own codes go in — the month, the total, the amounts per category
and per service, the month's anomalies and which saving rules fired.  Cost descriptions, server
names, user names and the institution's name never do (an idle server is counted, not named).
The text does not depend on the reader's language, so every user of a tenant shares one cache.
"""

from __future__ import annotations

from decimal import Decimal

from ..models import CATEGORIES

PROMPT_VERSION = "2"  # part of the cache fingerprint: a new wording asks the model again

SYSTEM = (
    "당신은 한국 공공기관 IT 운영팀을 돕는 FinOps(IT 비용 최적화) 자문가입니다. "
    "주어진 집계 수치만 근거로 답하고, 수치를 지어내지 마세요."
)

RULE_LABELS = {
    "LICENSE_REVIEW": "소프트웨어 라이선스 비중 과다",
    "MAINTENANCE_REVIEW": "유지보수비 비중 과다",
    "COST_SPIKE": "전월 대비 서비스 비용 급증",
    "IDLE_SERVER": "유휴 서버(평균 CPU 10% 미만)",
}
DIRECTION_WORDS = {"UP": "증가", "DOWN": "감소", "NEW": "신규 발생"}


def amount_text(amount, currency: str = "KRW") -> str:
    """12,345,000원 for KRW; other currencies with two places and their code."""
    value = Decimal(amount or 0)
    if currency == "KRW":
        return f"{value:,.0f}원"
    return f"{value:,.2f} {currency}"


def _signed(amount, currency: str) -> str:
    """An amount with its sign (+ for increases)."""
    value = Decimal(amount or 0)
    return ("+" if value > 0 else "-" if value < 0 else "") + amount_text(abs(value), currency)


def _anomaly_line(anomaly: dict, currency: str) -> str:
    """One anomaly: service, expected and actual, change and impact, the categories behind it."""
    expected = anomaly.get("expected_amount", anomaly.get("prev_amount"))
    actual = anomaly.get("curr_amount")
    impact = anomaly.get("impact_amount", anomaly.get("change_amount"))
    change = anomaly.get("change_pct")
    line = (
        f"- {anomaly['service']}: {DIRECTION_WORDS.get(anomaly.get('direction'), anomaly.get('direction'))}, "
        f"예상 {amount_text(expected, currency)} → 실제 {amount_text(actual, currency)}"
        + (f" ({change:+.1f}%)" if change is not None else "")
        + f", 영향 {_signed(impact, currency)}"
    )
    drivers = [c for c in anomaly.get("contributors", [])[:3]]
    if drivers:
        line += "; 주요 분류: " + ", ".join(
            f"{CATEGORIES.get(c['category'], c['category'])} {_signed(c.get('impact_amount', c.get('change_amount')), currency)}"
            for c in drivers
        )
    return line


def _rule_lines(recommendations: dict, currency: str) -> list[str]:
    """Which saving rules fired, with their figures (idle servers are counted and summed, never named)."""
    lines, idle = [], []
    for rule in recommendations["recommendations"]:
        kind = rule["type"]
        if kind == "IDLE_SERVER":
            idle.append(rule)
        elif kind in ("LICENSE_REVIEW", "MAINTENANCE_REVIEW"):
            lines.append(
                f"- {RULE_LABELS[kind]}: 월 비용의 {rule['share_pct']:.1f}%, "
                f"절감 추정 {amount_text(rule['estimated_saving'], currency)}"
            )
        elif kind == "COST_SPIKE":
            lines.append(
                f"- {RULE_LABELS[kind]}: {rule['service']} {rule['change_pct']:+.1f}% "
                f"({_signed(rule['increase_amount'], currency)}), "
                f"절감 추정 {amount_text(rule['estimated_saving'], currency)}"
            )
    if idle:
        saving = sum((rule["estimated_saving"] for rule in idle), Decimal("0"))
        lines.append(f"- {RULE_LABELS['IDLE_SERVER']}: {len(idle)}대, 이번 달 비용 합계 {amount_text(saving, currency)}")
    return lines


def build_prompt(summary: dict, anomalies: dict, recommendations: dict, currency: str = "KRW") -> str:
    """The Korean prompt for one month, built from the analytics results of that month."""
    year, month = summary["year"], summary["month"]
    lines = [
        f"{year}년 {month}월 IT 비용 집계입니다 (개별 항목·이름·설명은 포함하지 않은 합계 자료).",
        "",
        f"월 합계: {amount_text(summary['total_amount'], currency)} (전월 대비 {summary['mom_change_pct']:+.1f}%, "
        f"비용 항목 {summary['item_count']}건)",
    ]
    budget = summary["budget"]
    if budget["amount"] is not None:
        usage = f"{budget['usage_pct']:.1f}%" if budget["usage_pct"] is not None else "예산 0원 초과 지출"
        lines.append(f"월 예산: {amount_text(budget['amount'], currency)}, 사용률 {usage} ({budget['status']})")
    lines += ["", "분류별 금액:"]
    lines += [
        f"- {CATEGORIES.get(code, code)}: {amount_text(row['amount'], currency)} ({row['pct']:.1f}%)"
        for code, row in summary["by_category"].items()
    ] or ["- (비용 없음)"]
    lines += ["", "서비스별 금액:"]
    lines += [
        f"- {code}: {amount_text(row['amount'], currency)} ({row['pct']:.1f}%)" for code, row in summary["by_service"].items()
    ] or ["- (비용 없음)"]
    basis = "지난 6개월 중앙값 대비" if anomalies.get("method") == "baseline" else "전월 대비"
    lines += ["", f"이상 징후 ({basis}):"]
    lines += [_anomaly_line(a, currency) for a in anomalies["anomalies"]] or ["- 없음"]
    lines += ["", "규칙 기반 권고:"]
    lines += _rule_lines(recommendations, currency) or ["- 해당 없음 (비용이 정상 범위)"]
    lines += [
        "",
        "요청: 위 수치만 근거로 이 기관이 실행할 수 있는 IT 비용 절감 방안 3~5개를 한국어로 제시하세요. "
        '각 방안은 "1."처럼 번호를 붙인 한 항목으로, 근거가 되는 수치와 예상 절감 효과를 함께 적으세요.',
    ]
    return "\n".join(lines)
