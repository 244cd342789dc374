"""Server-side SVG charts: valid, escaped, scalable, with readable empty states."""

from decimal import Decimal as D
from xml.etree import ElementTree

import pytest

from webapp import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ElementTree.fromstring(str(markup))


def texts(markup) -> list[str]:
    return [element.text for element in parse(markup).iter(f"{SVG}text")]


def test_bar_chart_is_valid_scalable_svg_with_exact_money_labels():
    svg = charts.bar_chart([("서버 <운영>", D("1234567.50")), ("ERP", D("1000"))], title="분류 & 비용")
    root = parse(svg)
    assert root.get("viewBox").startswith("0 0 ") and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "분류 & 비용"
    assert "서버 <운영>" in texts(svg) and "₩1,234,568" in texts(svg)  # escaped, then shown in whole won


def test_vertical_bars_and_lines_have_axis_labels():
    bars = charts.bar_chart([("2025-01", 100), ("2025-02", 250)], horizontal=False)
    assert "2025-02" in texts(bars) and "250" in texts(bars)
    line = charts.line_chart(
        ["1월", "2월", "3월"], {"실적": [D("10000000"), None, D("30000000")], "예산": [D("2e7")] * 3}, dashed=("예산",)
    )
    root = parse(line)
    assert len(root.findall(f".//{SVG}polyline")) == 3  # the gap splits the actual line in two, plus the budget line
    assert any(p.get("stroke-dasharray") for p in root.iter(f"{SVG}polyline"))
    assert "3,000만" in texts(line) and "실적" in texts(line)


@pytest.mark.parametrize(
    "make",
    [
        lambda: charts.bar_chart([], empty_message="자료 없음"),
        lambda: charts.bar_chart([("A", 0)], empty_message="자료 없음"),
        lambda: charts.line_chart(["1월"], [0], empty_message="자료 없음"),
    ],
)
def test_empty_data_draws_a_message(make):
    assert texts(make()) == ["자료 없음"]


@pytest.mark.parametrize(
    "percent, status, colour, shown",
    [
        (D("42.0"), "OK", "#1d7a46", "42.0%"),
        (D("95.5"), "WARNING", "#d08700", "95.5%"),
        (D("250"), "OVER", "#c0392b", "250.0%"),
        (None, "NO_BUDGET", None, "—"),
    ],
)
def test_gauge_colour_follows_status(percent, status, colour, shown):
    svg = charts.gauge(percent, status=status, caption="예산 사용률")
    assert shown in texts(svg) and "90%" in texts(svg) and "110%" in texts(svg)
    strokes = {p.get("stroke") for p in parse(svg).iter(f"{SVG}path")}
    assert (colour in strokes) if colour else strokes == {"#e9edf2"}


@pytest.mark.parametrize("maximum, top", [(0, 1.0), (7, 8), (950, 1000), (71_216_000, 80_000_000), (0.3, 0.3)])
def test_nice_ticks_cover_the_maximum(maximum, top):
    ticks = charts.nice_ticks(maximum)
    assert ticks[0] == 0 and ticks[-1] == pytest.approx(top) and ticks[-1] >= maximum


@pytest.mark.parametrize(
    "value, korean, latin",
    [(12_000, "1만", "12K"), (71_216_000, "7,122만", "71.2M"), (250_000_000, "2.5억", "250M"), (950, "950", "950")],
)
def test_compact_axis_labels(value, korean, latin):
    assert charts.compact_number(value) == korean and charts.compact_number_latin(value) == latin
