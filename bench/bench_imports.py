"""Benchmark: importing a 1,000,000-row cost CSV (the app's columns) and a 1,000,000-line FOCUS file on PostgreSQL.

    .venv/bin/python bench/bench_imports.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]
                                            [--rows 1000000] [--focus-rows 1000000] [--keep]

The admin URL also comes from BENCH_DATABASE_URL.  The script makes its own database, migrates it,
writes the files (streamed) and measures, in the same run:
- the app's import of the CSV (store_upload + process_batch: hashing, checking every row, one COPY into
  cost_entries streamed while the file is read, one commit) — seconds, rows/s and the process's peak RSS;
- two floors: a raw `COPY ... FROM STDIN (FORMAT csv)` of the same file into a bare table of text columns,
  and the same COPY into cost_entries itself, unchecked (what storing the rows in that table costs);
- the FOCUS import of the FOCUS file (checked, aggregated into cost entries);
then checks that the monthly totals rollup still matches the entries (`flask costs check-totals`).
Targets (issue 10): the CSV under 60 s and peak RSS under 300 MB, within 2x of the raw COPY; FOCUS under 90 s.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.scratch_db import create_database, drop_database  # noqa: E402

CATEGORIES = ("SERVER", "NETWORK", "STORAGE", "LICENSE", "MAINTENANCE", "PERSONNEL", "OTHER")
SERVICES = ("MES", "ERP", "GROUPWARE", "SECURITY", "INFRA", "BACKUP", "OTHER")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_costs(path: Path, rows: int) -> None:
    rng = random.Random(1)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["연도", "월", "분류", "서비스", "금액", "설명", "부서"])
        for index in range(rows):
            out.writerow(
                [
                    2022 + index % 4,
                    1 + index % 12,
                    CATEGORIES[index % 7],
                    SERVICES[(index // 7) % 7],
                    f"{rng.randint(1000, 5_000_000)}.{rng.randint(0, 99):02d}",
                    f"bench line {index}",
                    "정보화팀",
                ]
            )


def write_focus(path: Path, rows: int) -> None:
    rng = random.Random(2)
    header = [
        "BillingCurrency",
        "BillingPeriodStart",
        "ChargePeriodStart",
        "BilledCost",
        "EffectiveCost",
        "ChargeCategory",
        "ServiceName",
        "ServiceCategory",
        "SubAccountName",
        "Tags",
    ]
    services = ["Amazon EC2", "Amazon S3", "Amazon RDS", "AWS Lambda", "Amazon CloudFront"]
    categories = ["Compute", "Storage", "Databases", "Compute", "Networking"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        for index in range(rows):
            month = 1 + index % 12
            pick = index % 5
            cost = f"{rng.randint(1, 10**12) / 10**11:.11f}"
            charge = "Credit" if index % 997 == 0 else "Usage"
            out.writerow(
                [
                    "USD",
                    f"2025-{month:02d}-01T00:00:00Z",
                    f"2025-{month:02d}-{1 + index % 28:02d}T03:00:00Z",
                    ("-" if charge == "Credit" else "") + cost,
                    cost,
                    charge,
                    services[pick],
                    categories[pick],
                    f"account-{index % 20}",
                    '{"application": "erp"}' if index % 3 == 0 else "NULL",
                ]
            )


def copy_into_cost_entries(raw, path: Path, tenant_id: int, batch_id: int, user_id: int) -> float:
    """The same file COPYed straight into cost_entries, unchecked: what PostgreSQL itself needs to store the rows as
    an import stores them (the tenant, batch, user and times from column defaults, codes from a sequence); rolled back."""
    with raw.cursor() as cursor:
        cursor.execute("CREATE TEMP SEQUENCE raw_codes")
        cursor.execute(f"ALTER TABLE cost_entries ALTER COLUMN tenant_id SET DEFAULT {int(tenant_id)}")
        cursor.execute(f"ALTER TABLE cost_entries ALTER COLUMN batch_id SET DEFAULT {int(batch_id)}")
        cursor.execute(f"ALTER TABLE cost_entries ALTER COLUMN created_by_id SET DEFAULT {int(user_id)}")
        cursor.execute("ALTER TABLE cost_entries ALTER COLUMN code SET DEFAULT 'RAW-' || nextval('raw_codes')")
        cursor.execute("ALTER TABLE cost_entries ALTER COLUMN created_at SET DEFAULT now()")
        cursor.execute("ALTER TABLE cost_entries ALTER COLUMN updated_at SET DEFAULT now()")
        raw.commit()
        started = time.perf_counter()
        columns = "year, month, category, service, amount, description, department"
        with open(path, "rb") as handle, cursor.copy(f"COPY cost_entries ({columns}) FROM STDIN (FORMAT csv, HEADER)") as copy:
            while data := handle.read(1 << 20):
                copy.write(data)
        seconds = time.perf_counter() - started
        raw.rollback()
        for column in ("tenant_id", "batch_id", "created_by_id", "code", "created_at", "updated_at"):
            cursor.execute(f"ALTER TABLE cost_entries ALTER COLUMN {column} DROP DEFAULT")
        raw.commit()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--admin-url", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--focus-rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="Keep the bench database.")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    costs_path, focus_path = folder / "costs.csv", folder / "focus.csv"
    started = time.perf_counter()
    write_costs(costs_path, args.rows)
    if args.focus_rows:
        write_focus(focus_path, args.focus_rows)
    print(
        f"files written in {time.perf_counter() - started:.1f} s: {costs_path.stat().st_size / 1e6:.0f} MB CSV"
        + (f", {focus_path.stat().st_size / 1e6:.0f} MB FOCUS" if args.focus_rows else "")
    )

    url = create_database(args.admin_url, "icr_bench_imports")
    try:
        os.environ.setdefault("INSTANCE_PATH", str(folder / "instance"))
        from flask_migrate import upgrade

        from webapp import create_app
        from webapp.analytics.totals import rollup_differences
        from webapp.extensions import db
        from webapp.imports.pipeline import process_batch, store_upload
        from webapp.models import Tenant, User

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None, "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            upgrade(revision="heads")
            tenant = Tenant(slug="bench", name="bench 기관", currency="KRW", timezone="Asia/Seoul", locale="ko", settings={})
            db.session.add(tenant)
            db.session.flush()
            admin = User(tenant_id=tenant.id, username="admin", email="admin@bench.example.kr", role="ADMIN", active=True)
            admin.set_password("bench-admin-1234")
            db.session.add(admin)
            db.session.commit()

            rss_before = peak_rss_mb()
            started = time.perf_counter()
            with open(costs_path, "rb") as handle:
                batch = store_upload(tenant, admin.id, "costs", "costs.csv", handle)
            batch = process_batch(batch)
            app_seconds = time.perf_counter() - started
            assert batch.status == "DONE", (batch.message, batch.errors[:3])
            print(
                f"app import:  {batch.rows:,} rows in {app_seconds:.1f} s = {batch.rows / app_seconds:,.0f} rows/s; "
                f"peak RSS {peak_rss_mb():.0f} MB (before the import {rss_before:.0f} MB)"
            )

            raw = db.session.connection().connection.driver_connection
            with raw.cursor() as cursor:
                cursor.execute(
                    "CREATE TABLE raw_costs (year text, month text, category text, service text, amount text, "
                    "description text, department text)"
                )
                started = time.perf_counter()
                with open(costs_path, "rb") as handle, cursor.copy("COPY raw_costs FROM STDIN (FORMAT csv, HEADER)") as copy:
                    while data := handle.read(1 << 20):
                        copy.write(data)
                copy_seconds = time.perf_counter() - started
            db.session.commit()
            print(
                f"raw COPY:    {args.rows:,} rows in {copy_seconds:.1f} s = {args.rows / copy_seconds:,.0f} rows/s "
                f"into a bare table of text columns; app / COPY = {app_seconds / copy_seconds:.2f}x"
            )
            table_seconds = copy_into_cost_entries(raw, costs_path, tenant.id, batch.id, admin.id)
            db.session.commit()
            print(
                f"raw COPY:    {args.rows:,} rows in {table_seconds:.1f} s = {args.rows / table_seconds:,.0f} rows/s "
                f"into cost_entries itself (its indexes, foreign keys and rollup trigger; rolled back); "
                f"app / COPY = {app_seconds / table_seconds:.2f}x"
            )

            if args.focus_rows:
                started = time.perf_counter()
                with open(focus_path, "rb") as handle:
                    focus = store_upload(tenant, admin.id, "costs", "focus.csv", handle, {"rate": "1380.55"})
                focus = process_batch(focus)
                focus_seconds = time.perf_counter() - started
                assert focus.status == "DONE", (focus.message, focus.errors[:3])
                print(
                    f"FOCUS:       {focus.rows:,} lines in {focus_seconds:.1f} s = {focus.rows / focus_seconds:,.0f} lines/s "
                    f"→ {focus.created_count:,} cost entries; peak RSS {peak_rss_mb():.0f} MB"
                )

            differences = rollup_differences(tenant.id)
            print("check-totals: " + ("monthly totals match the cost entries" if not differences else f"{differences} differ"))
            db.session.remove()
            db.engine.dispose()
    finally:
        if not args.keep:
            drop_database(args.admin_url, url)
        for path in (costs_path, focus_path):
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
