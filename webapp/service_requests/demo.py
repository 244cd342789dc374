"""Demo SRs: a year of realistic service requests up to today (idempotent: skipped when the tenant has SRs)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from ..extensions import db
from ..models import SERVICES, ServiceRequest, utcnow
from .service import sla_targets

DAYS = 365
ASSIGNEES = ("김민수", "이서연", "박지훈", "최유진", "정하늘", "강도현", "윤지우", "임수빈")
TITLES = {
    "REQUEST": (
        "{svc} 계정 권한 추가 요청",
        "{svc} 보고서 양식 변경 요청",
        "{svc} 사용자 비밀번호 초기화",
        "{svc} 데이터 추출 요청",
        "VPN 접속 신청",
        "PC 소프트웨어 설치 요청",
        "{svc} 메뉴 접근 권한 회수",
        "공유 폴더 용량 증설 요청",
    ),
    "INCIDENT": (
        "{svc} 접속 지연",
        "{svc} 로그인 오류",
        "{svc} 야간 배치 작업 실패",
        "{svc} 화면 응답 없음",
        "{svc} 인터페이스 전송 실패",
        "{svc} 서버 디스크 경고",
        "{svc} 인증서 오류로 접속 불가",
    ),
    "PROBLEM": ("{svc} 반복 장애 근본 원인 분석", "{svc} 성능 저하 원인 조사", "{svc} 배치 지연 재발 방지 대책"),
    "CHANGE": (
        "{svc} 정기 보안 패치 적용",
        "{svc} 신규 기능 배포",
        "방화벽 정책 변경 ({svc})",
        "{svc} DB 파라미터 조정",
        "{svc} 백업 정책 변경",
    ),
}
ROOT_CAUSES = {
    "MES": ("DB 락 경합", "설비 인터페이스 타임아웃", "배포 후 설정 누락"),
    "ERP": ("배치 스케줄 충돌", "DB 락 경합", "외부 연계 시스템 장애"),
    "GROUPWARE": ("메일 서버 용량 부족", "인증서 만료", "세션 서버 메모리 부족"),
    "SECURITY": ("보안 정책 오탐", "인증서 만료", "백신 엔진 업데이트 오류"),
    "INFRA": ("네트워크 스위치 장애", "디스크 용량 부족", "전원 공급 장치 고장"),
    "BACKUP": ("백업 대상 용량 증가", "테이프 드라이브 오류", "네트워크 대역폭 부족"),
    "OTHER": ("사용자 설정 오류", "하드웨어 고장", "원인 미상"),
}
DESCRIPTIONS = {
    "REQUEST": "- 요청 부서: {dept}\n- 요청 내용: {title}\n- 희망 완료일: 접수 후 3일 이내",
    "INCIDENT": "- 증상: {title}\n- 영향 범위: {dept} 사용자\n- 조치: 원인 확인 후 서비스 재기동",
    "PROBLEM": "반복 발생한 장애의 근본 원인을 분석하고 재발 방지 대책을 수립함.",
    "CHANGE": "변경 계획서 승인 후 작업 시간 내 적용. 작업 후 정상 동작 확인.",
}
DEPARTMENTS = ("기획조정실", "운영지원과", "민원봉사과", "감사담당관실", "정책연구팀", "시설관리과")
TYPE_WEIGHTS = (("REQUEST", 55), ("INCIDENT", 25), ("CHANGE", 15), ("PROBLEM", 5))
PRIORITY_WEIGHTS = {"INCIDENT": (8, 22, 45, 25), "PROBLEM": (0, 30, 50, 20), "REQUEST": (1, 9, 50, 40), "CHANGE": (2, 13, 55, 30)}
SERVICE_WEIGHTS = (18, 20, 16, 10, 18, 8, 10)
BREACH_SHARE = 0.09


def _pick(rng: random.Random, weighted) -> str:
    """One value of (value, weight) pairs."""
    values, weights = zip(*weighted, strict=False)
    return rng.choices(values, weights)[0]


def _resolution_hours(rng: random.Random, target: int) -> float:
    """Mostly well within the SLA target; about 9 % late by 10 %–200 %."""
    if rng.random() < BREACH_SHARE:
        return target * rng.uniform(1.1, 3.0)
    return max(0.2, target * min(rng.lognormvariate(-1.2, 0.6), 0.98))


def demo_rows(tenant, now: datetime, days: int = DAYS, seed: int = 20260101) -> list[dict]:
    """The SR rows of the demo year (deterministic for a seed)."""
    rng = random.Random(seed)
    zone = ZoneInfo(tenant.timezone)
    sla = sla_targets(tenant)
    today = now.astimezone(zone).date()
    rows = []
    for offset in range(days, -1, -1):
        day = today - timedelta(days=offset)
        weekend = day.weekday() >= 5
        count = rng.randint(1, 4) if weekend else rng.randint(8, 16)
        for number in range(1, count + 1):
            sr_type = _pick(rng, TYPE_WEIGHTS)
            priority = rng.choices(("P1", "P2", "P3", "P4"), PRIORITY_WEIGHTS[sr_type])[0]
            service = rng.choices(SERVICES, SERVICE_WEIGHTS)[0]
            hour = rng.uniform(0, 24) if (sr_type == "INCIDENT" and rng.random() < 0.25) else rng.uniform(8.5, 18.5)
            created = datetime.combine(day, time(), zone) + timedelta(hours=hour)
            created = created.astimezone(UTC).replace(microsecond=0)
            if created > now:
                continue
            title = rng.choice(TITLES[sr_type]).format(svc=service)
            resolved = created + timedelta(hours=_resolution_hours(rng, sla.get(priority, 24)))
            status, resolved_at = "DONE", resolved.replace(microsecond=0)
            if resolved > now:
                status, resolved_at = rng.choice(("OPEN", "IN_PROGRESS")), None
            elif rng.random() < 0.03:
                status, resolved_at = "CANCELLED", None
            root_cause = None
            if sr_type in ("INCIDENT", "PROBLEM") and (status == "DONE" or rng.random() < 0.5):
                root_cause = rng.choice(ROOT_CAUSES[service]) if rng.random() < 0.9 else None
            rows.append(
                {
                    "tenant_id": tenant.id,
                    "code": f"SR-{day:%Y%m%d}-{number:04d}",
                    "title": title,
                    "type": sr_type,
                    "priority": priority,
                    "status": status,
                    "service": service,
                    "description": DESCRIPTIONS[sr_type].format(title=title, dept=rng.choice(DEPARTMENTS)),
                    "root_cause": root_cause,
                    "assignee": rng.choice(ASSIGNEES),
                    "created_at": created,
                    "resolved_at": resolved_at,
                    "updated_at": resolved_at or created,
                }
            )
    return rows


def seed_service_requests(tenant, echo=print) -> int:
    """Add the demo year of SRs unless the tenant already has SRs; returns how many were added."""
    existing = db.session.scalar(select(func.count()).select_from(ServiceRequest).where(ServiceRequest.tenant_id == tenant.id))
    if existing:
        echo(f"service requests already present ({existing})")
        return 0
    rows = demo_rows(tenant, utcnow())
    for start in range(0, len(rows), 1000):
        db.session.execute(insert(ServiceRequest), rows[start : start + 1000])
    db.session.commit()
    echo(f"created {len(rows)} service requests (a year up to today)")
    return len(rows)
