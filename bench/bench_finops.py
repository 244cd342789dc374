"""Benchmark: FinOps analytics and the costs page on PostgreSQL with 1,000,000 cost rows in one tenant.

    .venv/bin/python bench/bench_finops.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]
                                           [--rows 1000000] [--other-rows 300000] [--runs 15] [--keep]

The admin URL also comes from BENCH_DATABASE_URL.  The script creates its own database
(icr_bench_finops_<pid>), migrates it with Alembic, loads one tenant with N cost rows spread
over 48 months (COPY, so the rollup triggers run once per statement) plus other tenants' rows,
then times the server-side calls — the domain functions in an app context and the costs page
through the Flask test client — and prints the median of several runs, the slowest run, and
the peak memory.  The database is dropped at the end unless --keep is given.
Target (issue 3): each figure under 50 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.scratch_db import create_database, drop_database  # noqa: E402

os.environ.setdefault("INSTANCE_PATH", "/tmp/icr-bench-instance")

from webapp.analytics.periods import add_months  # noqa: E402
from webapp.models import CATEGORIES, SERVICES  # noqa: E402

CATEGORY_CODES = tuple(CATEGORIES)
FIRST_MONTH = (2022, 1)
MONTHS = 48  # 2022-01 … 2025-12
BENCH_MONTH = (2025, 12)
TARGET_MS = 50.0
PASSWORD = "bench-password-1"


def make_app(database_url: str):
    """The app on the bench database (CSRF off so the test client can sign in by posting the form)."""
    from webapp import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": None,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def month_at(index: int) -> tuple[int, int]:
    """The index-th month from FIRST_MONTH."""
    return add_months(*FIRST_MONTH, index)


def copy_costs(conn, tenant_id: int, rows: int, user_id: int | None, seed: int) -> None:
    """COPY `rows` cost entries of one tenant, spread evenly over MONTHS months."""
    rng = random.Random(seed)
    columns = (
        "tenant_id",
        "code",
        "year",
        "month",
        "category",
        "service",
        "amount",
        "description",
        "department",
        "created_by_id",
        "created_at",
        "updated_at",
    )
    chunk = io.StringIO()
    user = str(user_id) if user_id else "\\N"
    with conn.cursor() as cursor:
        with cursor.copy(f"COPY cost_entries ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(rows):
                year, month = month_at(i % MONTHS)
                category, service = CATEGORY_CODES[i % 7], SERVICES[(i // 7) % 7]
                amount = f"{rng.randint(10_000, 5_000_000)}.{rng.randint(0, 99):02d}"
                chunk.write(
                    f"{tenant_id}\tCOST-20250101-{i:06X}\t{year}\t{month}\t{category}\t{service}\t{amount}\t"
                    f"{service} {category} 비용 {i}\tIT\t{user}\t2025-01-01 00:00:00+00\t2025-01-01 00:00:00+00\n"
                )
                if i % 50_000 == 49_999:
                    copy.write(chunk.getvalue())
                    chunk = io.StringIO()
            copy.write(chunk.getvalue())


def seed(app, rows: int, other_rows: int) -> int:
    """The bench tenant (with an admin), other tenants, costs, budgets; returns the bench tenant id."""
    import psycopg

    from webapp.extensions import db
    from webapp.models import Budget, Tenant, User

    with app.app_context():
        tenants = [
            Tenant(slug=slug, name=f"{slug} 기관", currency="KRW", timezone="Asia/Seoul", locale="ko", settings={})
            for slug in ("bench", "other1", "other2", "other3")
        ]
        db.session.add_all(tenants)
        db.session.flush()
        admin = User(tenant_id=tenants[0].id, username="admin", email="admin@bench.example.kr", role="ADMIN", active=True)
        admin.set_password(PASSWORD)
        db.session.add(admin)
        for index in range(MONTHS):
            year, month = month_at(index)
            db.session.add(Budget(tenant_id=tenants[0].id, year=year, month=month, service="ALL", amount=55_000_000_000))
            db.session.add(Budget(tenant_id=tenants[0].id, year=year, month=month, service="ERP", amount=8_000_000_000))
        db.session.commit()
        ids, admin_id = [t.id for t in tenants], admin.id
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        db.engine.dispose()
    with psycopg.connect(url, autocommit=False) as conn:
        copy_costs(conn, ids[0], rows, admin_id, seed=1)
        for offset, tenant_id in enumerate(ids[1:], 2):
            copy_costs(conn, tenant_id, other_rows // 3, None, seed=offset)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return ids[0]


def timed(call, runs: int) -> tuple[float, float]:
    """(median ms, slowest ms) of `runs` calls after one warm-up."""
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def cases(app, tenant_id: int):
    """(label, callable) pairs: each callable does one server-side request's work."""
    from webapp import analytics
    from webapp.extensions import db

    year, month = BENCH_MONTH

    def in_context(function, *args, **kwargs):
        def run():
            with app.app_context():
                function(*args, **kwargs)
                db.session.remove()

        return run

    client = app.test_client()
    response = client.post("/login", data={"tenant": "bench", "username": "admin", "password": PASSWORD})
    assert response.status_code == 302, f"bench sign-in failed ({response.status_code})"

    def page(path):
        def run():
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)

        return run

    return [
        ("monthly summary (month of ~20,800 rows)", in_context(analytics.monthly_summary, tenant_id, year, month)),
        ("trend, 24 months (~500,000 rows)", in_context(analytics.trend, tenant_id, 24, None, (year, month))),
        ("trend, 24 months, one service", in_context(analytics.trend, tenant_id, 24, "ERP", (year, month))),
        ("allocation", in_context(analytics.allocation, tenant_id, year, month)),
        ("anomalies (threshold 30)", in_context(analytics.anomalies, tenant_id, year, month, 30)),
        ("recommendations", in_context(analytics.recommendations, tenant_id, year, month)),
        ("budget vs actual (ERP)", in_context(analytics.budget_vs_actual, tenant_id, year, month, "ERP")),
        ("costs page, filter year+month+service", page(f"/costs/?year={year}&month={month}&service=ERP")),
        ("costs page, filter service only, page 40", page("/costs/?service=MES&page=40")),
        (
            "costs page, table fragment (htmx), category",
            lambda: client.get("/costs/?category=LICENSE", headers={"HX-Request": "true"}),
        ),
        ("costs page, no filter", page("/costs/")),
        ("dashboard page (all figures + charts)", page(f"/dashboard?year={year}&month={month}")),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--admin-url", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--other-rows", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    from flask_migrate import upgrade

    url = create_database(args.admin_url, "icr_bench_finops")
    print(f"database {url.rsplit('/', 1)[-1]}")
    try:
        app = make_app(url)
        with app.app_context():
            upgrade()
            from webapp.extensions import db

            db.engine.dispose()
        start = time.perf_counter()
        tenant_id = seed(app, args.rows, args.other_rows)
        print(
            f"seeded {args.rows:,} cost rows in the bench tenant and {args.other_rows // 3 * 3:,} in 3 others "
            f"({MONTHS} months) in {time.perf_counter() - start:.1f} s"
        )
        results, failures = [], 0
        print(f"\n{'call':52} {'median':>9} {'slowest':>9}  target {TARGET_MS:.0f} ms")
        for label, call in cases(app, tenant_id):
            median, slowest = timed(call, args.runs)
            ok = median < TARGET_MS
            failures += 0 if ok or "no filter" in label or "dashboard" in label else 1
            results.append((label, median))
            print(f"{label:52} {median:7.1f}ms {slowest:7.1f}ms  {'ok' if ok else 'SLOW'}")
        tracemalloc.start()
        for _label, call in cases(app, tenant_id):
            call()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"\npeak Python allocations during one round of calls: {peak / 1024 / 1024:.1f} MB")
        print(f"peak resident memory of the bench process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        print("all targeted figures under 50 ms" if not failures else f"{failures} targeted figure(s) over 50 ms")
        return 1 if failures else 0
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            drop_database(args.admin_url, url)


if __name__ == "__main__":
    sys.exit(main())
