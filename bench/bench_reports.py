"""Benchmark: report building on PostgreSQL with 200,000 SRs in one month.

    .venv/bin/python bench/bench_reports.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres] [--srs 200000]

Creates its own database (icr_bench_<pid>), migrates it, loads one tenant with N SRs in
March 2026 and a month of cost items, then builds each report in a separate worker-like
process and prints the wall time of the build (collect + file) and the peak resident
memory of that process (ru_maxrss).  The database is dropped at the end.
Targets (issue 4): weekly_ops and monthly_sla Excel < 10 s and < 300 MB; a 10-page
monthly_cost PDF < 5 s.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.scratch_db import create_database, drop_database  # noqa: E402

os.environ.setdefault("INSTANCE_PATH", "/tmp/icr-bench-instance")

MONTH = (date(2026, 3, 1), date(2026, 3, 31))
CASES = [
    # (label, template, format, start, end, time limit s, memory limit MB)
    ("weekly_ops Excel, last 8 days (≈52,000 SRs)", "weekly_ops", "excel", date(2026, 3, 24), date(2026, 3, 31), 10, 300),
    ("monthly_sla Excel, the month (200,000 SRs)", "monthly_sla", "excel", *MONTH, 10, 300),
    ("weekly_ops Excel over the whole month (200,000-row SR sheet)", "weekly_ops", "excel", *MONTH, None, 300),
    ("monthly_sla PDF, the month", "monthly_sla", "pdf", *MONTH, None, None),
    ("monthly_cost PDF (10 pages)", "monthly_cost", "pdf", *MONTH, 5, None),
    ("monthly_cost Excel", "monthly_cost", "excel", *MONTH, None, None),
]
SERVICES = ("MES", "ERP", "GROUPWARE", "SECURITY", "INFRA", "BACKUP", "OTHER")
CATEGORIES = ("SERVER", "NETWORK", "STORAGE", "LICENSE", "MAINTENANCE", "PERSONNEL", "OTHER")
SLA = {"P1": 4, "P2": 8, "P3": 24, "P4": 72}


def bench_config(database_url: str) -> dict:
    """App settings for the benchmark: the bench database, no Redis."""
    return {"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": None, "SECRET_KEY": "bench", "TESTING": True}


def sr_rows(tenant_id: int, count: int, seed: int = 7):
    """`count` SRs created over March 2026 (KST), ~90 % done (about 9 % of those late), with incidents and root causes."""
    rng = random.Random(seed)
    zone = ZoneInfo("Asia/Seoul")
    start = datetime(2026, 3, 1, tzinfo=zone).astimezone(UTC)
    span = (datetime(2026, 4, 1, tzinfo=zone).astimezone(UTC) - start).total_seconds()
    causes = ("DB 락 경합", "인증서 만료", "디스크 용량 부족", "배포 후 설정 누락", "네트워크 스위치 장애", "외부 연계 장애")
    for n in range(count):
        created = start + timedelta(seconds=rng.random() * span)
        sr_type = rng.choices(("REQUEST", "INCIDENT", "CHANGE", "PROBLEM"), (55, 25, 15, 5))[0]
        priority = rng.choices(("P1", "P2", "P3", "P4"), (5, 15, 50, 30))[0]
        target = SLA[priority]
        hours = target * (rng.uniform(1.1, 3) if rng.random() < 0.09 else rng.uniform(0.05, 0.95))
        done = rng.random() < 0.9
        resolved = created + timedelta(hours=hours) if done else None
        yield (
            tenant_id,
            f"SR-B-{n:07d}",
            f"벤치마크 요청 {n} — {rng.choice(SERVICES)} 처리",
            sr_type,
            priority,
            "DONE" if done else rng.choice(("OPEN", "IN_PROGRESS")),
            rng.choice(SERVICES),
            "- 증상: 응답 지연\n- 조치: 재기동" if n % 10 == 0 else "벤치마크 데이터",
            rng.choice(causes) if sr_type == "INCIDENT" else None,
            rng.choice(("김민수", "이서연", "박지훈")),
            created,
            resolved,
            resolved or created,
        )


def load(database_url: str, srs: int, cost_items: int) -> None:
    """Migrate the database and load the tenant, SRs (COPY) and cost items."""
    from decimal import Decimal

    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Budget, CostEntry, Tenant

    app = create_app(bench_config(database_url))
    with app.app_context():
        upgrade()
        tenant = Tenant(
            slug="bench", name="벤치마크 기관 정보화담당관실", timezone="Asia/Seoul", currency="KRW", locale="ko", settings={}
        )
        db.session.add(tenant)
        db.session.commit()
        started = time.perf_counter()
        raw = db.engine.raw_connection()
        try:
            with (
                raw.cursor() as cursor,
                cursor.copy(
                    "COPY service_requests (tenant_id, code, title, type, priority, status, service, description, root_cause,"
                    " assignee, created_at, resolved_at, updated_at) FROM STDIN"
                ) as copy,
            ):
                for row in sr_rows(tenant.id, srs):
                    copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
        rng = random.Random(11)
        for month in (1, 2, 3):
            for n in range(cost_items if month == 3 else 40):
                db.session.add(
                    CostEntry(
                        tenant_id=tenant.id,
                        code=f"COST-2026{month:02d}01-{n:06X}",
                        year=2026,
                        month=month,
                        category=CATEGORIES[n % len(CATEGORIES)],
                        service=SERVICES[n % len(SERVICES)],
                        amount=Decimal(rng.randrange(100_000, 5_000_000, 1000)),
                        description=f"{SERVICES[n % 7]} 월 비용 항목 {n}",
                        department="IT",
                    )
                )
        db.session.add(Budget(tenant_id=tenant.id, year=2026, month=3, service="ALL", amount=Decimal(400_000_000)))
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        print(f"loaded {srs:,} SRs and {cost_items} cost items for March in {time.perf_counter() - started:.1f} s")
        db.engine.dispose()


def build_one(database_url: str, template: str, fmt: str, start: str, end: str) -> dict:
    """Child process: build one report as the worker does and measure it."""
    from webapp import create_app
    from webapp.extensions import db
    from webapp.i18n import tenant_context
    from webapp.models import Tenant
    from webapp.reports.render import render_report

    app = create_app(bench_config(database_url))
    with app.app_context():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "bench"))
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started, cpu_started = time.perf_counter(), time.process_time()
        with tenant_context(tenant):
            built = render_report(tenant, template, date.fromisoformat(start), date.fromisoformat(end), fmt)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    pages = None
    if fmt == "pdf":
        info = subprocess.run(["pdfinfo", "-"], input=built.content, capture_output=True).stdout.decode()
        pages = next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)
    rows = None
    if fmt == "excel":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(built.content), read_only=True)
        rows = sum(1 for _ in book.worksheets[-1].iter_rows(values_only=True))
    return {
        "seconds": round(seconds, 2),
        "cpu": round(cpu, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "baseline_mb": round(baseline, 1),
        "bytes": len(built.content),
        "pages": pages,
        "detail_rows": rows,
    }


def main() -> int:
    """Create, load, measure, drop."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--admin-url", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--srs", type=int, default=200_000)
    parser.add_argument("--cost-items", type=int, default=260, help="cost items in March (sets the PDF length)")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--child", nargs=5, metavar=("URL", "TEMPLATE", "FORMAT", "START", "END"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(build_one(*args.child)))
        return 0

    url = create_database(args.admin_url, "icr_bench_reports")
    failures = 0
    try:
        load(url, args.srs, args.cost_items)
        print(
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (time = wall clock; cpu = the process's own CPU time)"
        )
        print(f"{'case':<62} {'time':>8} {'cpu':>7} {'peak RSS':>9} {'(start)':>8} {'size':>9}  notes")
        for label, template, fmt, start, end, time_limit, memory_limit in CASES:
            child = subprocess.run(
                [sys.executable, __file__, "--child", url, template, fmt, start.isoformat(), end.isoformat()],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if child.returncode != 0:
                print(f"{label}: FAILED\n{child.stderr[-2000:]}")
                failures += 1
                continue
            result = json.loads(child.stdout.strip().splitlines()[-1])
            verdict = []
            if time_limit:
                verdict.append(f"{'ok' if result['seconds'] < time_limit else 'SLOW'} (< {time_limit} s)")
                failures += result["seconds"] >= time_limit
            if memory_limit:
                verdict.append(f"{'ok' if result['peak_mb'] < memory_limit else 'BIG'} (< {memory_limit} MB)")
                failures += result["peak_mb"] >= memory_limit
            extra = f"{result['pages']} pages" if result["pages"] else f"{result['detail_rows']:,} rows in the last sheet"
            print(
                f"{label:<62} {result['seconds']:>6.2f} s {result['cpu']:>5.2f} s {result['peak_mb']:>6.0f} MB {result['baseline_mb']:>5.0f} MB "
                f"{result['bytes'] / 1024:>7.0f} KB  {extra}; {', '.join(verdict)}"
            )
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            drop_database(args.admin_url, url)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
