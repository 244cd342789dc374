"""capacity_plan: each server's forecast month of reaching 80 % CPU or disk, on hand-built series."""

from datetime import date
from decimal import Decimal

from webapp.models import Server, ServerMetric
from webapp.reports.kinds.capacity_plan import month_index, month_reaching

from .helpers import find_row
from .test_excel import build


def series(*values, start=(2026, 1)) -> dict[int, Decimal]:
    first = month_index(*start)
    return {first + k: Decimal(str(v)) for k, v in enumerate(values)}


def test_a_steady_climb_reaches_the_limit_where_the_line_says():
    # 50, 56, 62, 68 in Jan–Apr: +6 a month, so 74 in May and 80 in June
    assert month_reaching(series(50, 56, 62, 68), Decimal(80), month_index(2026, 5)) == month_index(2026, 6)


def test_already_at_the_limit_is_the_latest_month():
    assert month_reaching(series(70, 79, 81), Decimal(80), month_index(2026, 4)) == month_index(2026, 3)


def test_flat_falling_short_or_far_series_have_no_month():
    assert month_reaching(series(40, 40, 40), Decimal(80), month_index(2026, 4)) is None
    assert month_reaching(series(60, 55, 50), Decimal(80), month_index(2026, 4)) is None
    assert month_reaching(series(60), Decimal(80), month_index(2026, 2)) is None
    assert month_reaching({}, Decimal(80), month_index(2026, 2)) is None
    # +0.5 a month from 20: 80 is 120 months away, past the horizon
    assert month_reaching(series(20, 20.5, 21), Decimal(80), month_index(2026, 4)) is None


def test_the_servers_sheet_shows_the_forecast_months(db, tenant, march):
    grow = Server(tenant_id=tenant.id, name="grow-01", service="ERP")
    db.session.add(grow)
    db.session.flush()
    for month, (cpu, disk) in enumerate([(50, 40), (56, 40), (62, 40), (68, 40)], start=1):
        db.session.add(
            ServerMetric(
                tenant_id=tenant.id,
                server_id=grow.id,
                year=2026,
                month=month,
                cpu_avg=Decimal(cpu),
                memory_avg=Decimal(30),
                disk_avg=Decimal(disk),
            )
        )
    db.session.commit()
    _built, book = build(tenant, "capacity_plan", date(2026, 4, 1), date(2026, 4, 30))
    sheet = book["서버"]
    header = [cell.value for cell in next(r for r in sheet.iter_rows() if r[0].value == "서버")]
    row = [cell.value for cell in find_row(sheet, "grow-01")]
    assert row[header.index("CPU 80% 도달 예상 월")] == "2026-06"
    assert row[header.index("디스크 80% 도달 예상 월")] == "—"
