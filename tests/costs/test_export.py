"""CSV and Excel export of the filtered list: the right rows, exact amounts, formulas neutralised."""
import csv
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from ..analytics.helpers import add_cost


@pytest.fixture
def costs(tenant, other_tenant):
    add_cost(tenant, 2025, 1, "SERVER", "ERP", "1000000", description="=HYPERLINK(\"http://x\")")
    add_cost(tenant, 2025, 1, "LICENSE", "MES", "0.10", description="+1 라이선스")
    add_cost(tenant, 2025, 1, "LICENSE", "MES", "0.20", description="@SUM(A1)")
    add_cost(tenant, 2025, 2, "SERVER", "ERP", "2000000", description="-2월 서버")
    add_cost(other_tenant, 2025, 1, "SERVER", "ERP", "999", description="다른 기관")


def test_csv_export_of_the_filtered_list(client, auth, costs):
    auth.login("pm")
    response = client.get("/costs/export.csv?year=2025&month=1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="costs_2025-01.csv"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:7] == ["코드", "연도", "월", "분류 코드", "분류", "서비스", "금액"]
    body = rows[1:]
    assert len(body) == 3 and {row[5] for row in body} == {"ERP", "MES"}
    descriptions = sorted(row[7] for row in body)
    assert descriptions == sorted(["'=HYPERLINK(\"http://x\")", "'+1 라이선스", "'@SUM(A1)"])
    assert sum(D(row[6]) for row in body) == D("1000000.30")
    assert "다른 기관" not in text


def test_excel_export_has_styled_header_numbers_and_total(client, auth, costs):
    auth.login("admin")
    response = client.get("/costs/export.xlsx?service=ERP")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[4]]
    assert header[:7] == ["코드", "연도", "월", "분류 코드", "분류", "서비스", "금액"]
    assert sheet["A4"].fill.fgColor.rgb.endswith("003366") and sheet["A4"].font.bold and sheet["A4"].font.color.rgb.endswith("FFFFFF")
    data = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5, max_row=6)]
    assert sorted(row[6] for row in data) == [1000000, 2000000]
    assert all(isinstance(row[6], (int, float)) for row in data)
    assert sorted(row[7] for row in data) == ["'-2월 서버", "'=HYPERLINK(\"http://x\")"]
    total_row = [cell.value for cell in sheet[8]]
    assert total_row[0] == "합계" and total_row[6] == 3000000
    assert "서비스" in sheet["A2"].value or "service=ERP" in sheet["A2"].value


def test_export_refuses_a_bad_filter(client, auth, costs):
    auth.login("pm")
    assert client.get("/costs/export.csv?category=FOOD").status_code == 400
