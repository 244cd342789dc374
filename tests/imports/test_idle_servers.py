"""IDLE_SERVER on imported data: inventory, utilisation and costs all from files, at the 10 % edge."""

from decimal import Decimal

from webapp.analytics.rules import idle_servers

from ..factories import csv_file


def test_idle_server_rule_reads_imported_utilisation_at_the_edge(db, tenant, run_import):
    inventory = [["서버", "서비스", "설명"], ["idle-01", "ERP", ""], ["edge-10", "ERP", ""], ["busy-01", "MES", ""]]
    assert run_import("servers", csv_file(inventory)).status == "DONE"
    usage = [
        ["서버", "연도", "월", "CPU", "메모리", "디스크"],
        ["idle-01", 2026, 3, "9.99", "20", "30"],
        ["edge-10", 2026, 3, "10.00", "20", "30"],
        ["busy-01", 2026, 3, "75", "60", "40"],
    ]
    assert run_import("servers", csv_file(usage)).status == "DONE"
    costs = [
        ["연도", "월", "분류", "서비스", "금액", "서버"],
        ["2026", "3", "SERVER", "ERP", "500000", "idle-01"],
        ["2026", "3", "SERVER", "ERP", "400000", "edge-10"],
        ["2026", "3", "SERVER", "MES", "300000", "busy-01"],
    ]
    assert run_import("costs", csv_file(costs)).status == "DONE"
    found = idle_servers(tenant.id, 2026, 3)
    assert [(name, cpu, amount) for _id, name, cpu, amount in found] == [("idle-01", Decimal("9.99"), Decimal("500000.00"))]
