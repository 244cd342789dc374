"""Benchmark: 10,000 active schedules due in the same minute, two scheduler processes at once.

Needs PostgreSQL and Redis (the production set-up):

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/bench_scheduler.py [--schedules 10000] [--processes 2]

It creates a scratch database (dropped afterwards) and its own RQ queue, inserts the schedules,
starts the scheduler processes (`flask scheduler run --once`) at the same moment and checks that
every schedule got exactly one run, one report and one queued job — no duplicates.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from scripts.scratch_db import create_database, drop_database  # noqa: E402
from scripts.scratch_queue import drop_queue  # noqa: E402
from webapp.config import normalise_database_url  # noqa: E402


def env_for(database_url: str, redis_url: str, queue: str, instance: str) -> dict:
    """The environment of the child processes."""
    return dict(
        os.environ,
        FLASK_APP="webapp",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        RQ_QUEUE=queue,
        SECRET_KEY="bench",
        INSTANCE_PATH=instance,
        LOG_LEVEL="WARNING",
    )


def seed(database_url: str, count: int, slot: datetime) -> None:
    """One tenant, one owner, `count` schedules due at `slot` (bulk SQL)."""
    engine = create_engine(normalise_database_url(database_url))
    with engine.begin() as conn:
        tenant_id = conn.execute(
            text(
                "INSERT INTO tenants (slug, name, currency, timezone, locale, settings, created_at) "
                "VALUES ('bench', '벤치 기관', 'KRW', 'Asia/Seoul', 'ko', '{}', now()) RETURNING id"
            )
        ).scalar()
        owner_id = conn.execute(
            text(
                "INSERT INTO users (tenant_id, username, email, password_hash, role, active, created_at) "
                "VALUES (:t, 'pm', 'pm@bench.kr', 'x', 'PM', true, now()) RETURNING id"
            ),
            {"t": tenant_id},
        ).scalar()
        conn.execute(
            text(
                "INSERT INTO report_schedules (tenant_id, name, template, cron, timezone, format, recipients, active, "
                "skip_when_empty, owner_id, next_run_at, created_at, updated_at) "
                "SELECT :t, 'bench ' || n, 'weekly_ops', '0 0 1 1 *', 'Asia/Seoul', 'excel', '[\"cio@bench.kr\"]', true, false, "
                ":o, :slot, now(), now() FROM generate_series(1, :count) AS n"
            ),
            {"t": tenant_id, "o": owner_id, "slot": slot, "count": count},
        )
    engine.dispose()


def check(database_url: str, redis_url: str, queue: str) -> dict:
    """Runs, duplicates, reports and queued jobs after the tick."""
    from redis import Redis

    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as conn:
        runs = conn.execute(text("SELECT count(*) FROM schedule_runs")).scalar()
        duplicates = conn.execute(
            text("SELECT count(*) FROM (SELECT schedule_id FROM schedule_runs GROUP BY schedule_id HAVING count(*) > 1) d")
        ).scalar()
        reports = conn.execute(text("SELECT count(*) FROM reports")).scalar()
        unlinked = conn.execute(text("SELECT count(*) FROM schedule_runs WHERE report_id IS NULL")).scalar()
        still_due = conn.execute(text("SELECT count(*) FROM report_schedules WHERE next_run_at <= now()")).scalar()
    engine.dispose()
    connection = Redis.from_url(redis_url)
    job_ids = [j.decode() for j in connection.lrange(f"rq:queue:{queue}", 0, -1)]
    return {
        "runs": runs,
        "schedules_with_2_runs": duplicates,
        "reports": reports,
        "runs_without_report": unlinked,
        "still_due": still_due,
        "queued_jobs": sum(1 for j in job_ids if j.startswith("schedule-")),
        "distinct_jobs": len({j for j in job_ids if j.startswith("schedule-")}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    admin_url = (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("TEST_DATABASE_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    redis_url = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/14"
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    instance = f"/tmp/icr-bench-{uuid.uuid4().hex[:6]}"
    database_url = create_database(admin_url, "icr_bench_scheduler")
    env = env_for(database_url, redis_url, queue, instance)
    try:
        subprocess.run(
            [str(Path(sys.executable).parent / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        local_now = datetime.now(timezone(timedelta(hours=9)))
        slot = datetime(local_now.year, 1, 1, tzinfo=timezone(timedelta(hours=9))).astimezone(UTC)
        started = time.perf_counter()
        seed(database_url, args.schedules, slot)
        print(f"seeded {args.schedules:,} schedules due at {slot:%Y-%m-%d %H:%M} UTC in {time.perf_counter() - started:.1f} s")
        command = [str(Path(sys.executable).parent / "flask"), "scheduler", "run", "--once"]
        started = time.perf_counter()
        processes = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(args.processes)
        ]
        outputs = [p.communicate(timeout=600) for p in processes]
        elapsed = time.perf_counter() - started
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        for index, (process, (out, err)) in enumerate(zip(processes, outputs, strict=False), start=1):
            if process.returncode != 0:
                print(err[-2000:])
                return 1
            line = next((row for row in out.splitlines() if row.startswith("tick:")), out.strip())
            print(f"scheduler {index}: {line}")
        figures = check(database_url, redis_url, queue)
        print(
            f"{args.processes} scheduler processes enqueued {figures['queued_jobs']:,} report jobs in {elapsed:.2f} s "
            f"({figures['queued_jobs'] / elapsed:,.0f}/s); peak memory of one process {peak_kb / 1024:.0f} MB"
        )
        print("checks:", figures)
        ok = (
            figures["runs"] == figures["reports"] == figures["queued_jobs"] == figures["distinct_jobs"] == args.schedules
            and figures["schedules_with_2_runs"] == 0
            and figures["runs_without_report"] == 0
            and figures["still_due"] == 0
        )
        print("OK: exactly one run, report and job per schedule" if ok else "FAILED: see the checks above")
        if elapsed > 10:
            print(f"SLOW: {elapsed:.1f} s is over the 10 s target")
        return 0 if ok else 1
    finally:
        drop_queue(redis_url, queue)
        drop_database(admin_url, database_url)


if __name__ == "__main__":
    sys.exit(main())
