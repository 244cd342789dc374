"""Server-side SVG charts: bar, line and gauge, returned as Markup.

The same SVG goes into the web page, the printable page and the PDF (WeasyPrint draws
inline SVG as vectors), so every picture looks the same everywhere and nothing is loaded
from the internet.  The module has no dependency beyond MarkupSafe (part of Flask).

Usage in a view or a report::

    from webapp import charts
    charts.bar_chart([("MES", Decimal("1200000")), ("ERP", Decimal("800000"))], title="서비스별")
    charts.line_chart(["2025-11", "2025-12"], {"실적": [1, 2], "예산": [2, 2]})
    charts.gauge(Decimal("93.4"), status="WARNING", caption="예산 사용률")

Rules every chart follows:
- values may be Decimal, int or float; geometry uses float, labels use `format_value`
  on the original value (money stays exact in the text);
- all text is escaped; the root <svg> has a viewBox so CSS can scale it (`width: 100%`),
  role="img" and a <title> for screen readers;
- an empty or all-zero data set draws a readable "no data" chart instead of failing;
- text stays legible at every width (see "Legible labels" below).

Legible labels.  A chart is one SVG scaled to its box, so on a phone its text would shrink with it
(a 640-wide chart in a 320 px card halves every label).  Instead every text carries a role class
(`tick`, `value`, `label`, `legend`, ...) and app.css sets larger sizes for those classes on narrow
screens, by the factors in NARROW_TEXT, so the rendered size stays near the desktop size; the layout
leaves room for the enlarged text.  Where enlarged labels would not fit between their neighbours the
chart marks the ones to drop (`minor-s` on phones, `minor-m` on small tablets) and app.css hides them:
narrow screens show fewer ticks, not smaller text.  The printable page and the PDF ignore these
classes and keep the attribute sizes, which never go below MIN_FONT.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from numbers import Number

from markupsafe import Markup, escape

NAVY = "#003366"
PALETTE = ("#003366", "#2d6cdf", "#1d9a8a", "#e0a100", "#8e5bd1", "#d9534f", "#5d6b7a", "#7fa7d9")
STATUS_COLOURS = {"OK": "#1d7a46", "WARNING": "#d08700", "OVER": "#c0392b", "NO_BUDGET": "#9aa6b2"}
GRID = "#e3e8ee"
INK = "#1d2733"
MUTED = "#5d6b7a"
FONT = "'Noto Sans CJK KR', 'NanumGothic', 'Malgun Gothic', system-ui, sans-serif"
MIN_FONT = 11  # no label is drawn smaller (user units: about px on the desktop page, 8 pt in the PDF)
# How much app.css enlarges chart text on phones (s, ≤ 480 px) and small tablets (m, ≤ 720 px); keep both in step.
NARROW_TEXT = {"s": 2.0, "m": 1.5}
NARROW_BAR_TEXT = {"s": 1.55, "m": 1.15}  # ranked (horizontal) bars: their label column has less room


# --- number helpers ---------------------------------------------------------------------------


def compact_number(value: Number | Decimal | None) -> str:
    """Short Korean-style axis label: 1.2억, 3,400만, 12,000 (no currency sign)."""
    if value is None:
        return ""
    number = float(value)
    sign = "-" if number < 0 else ""
    number = abs(number)
    if number >= 100_000_000:
        text = f"{number / 100_000_000:,.1f}".rstrip("0").rstrip(".") + "억"
    elif number >= 10_000:
        text = f"{number / 10_000:,.0f}만"
    else:
        text = f"{number:,.0f}"
    return sign + text


def compact_number_latin(value: Number | Decimal | None) -> str:
    """Short axis label in thousands, millions and billions: 12K, 65M, 1.2B."""
    if value is None:
        return ""
    number = float(value)
    sign, number = ("-" if number < 0 else ""), abs(number)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if number >= size:
            return sign + f"{number / size:,.1f}".rstrip("0").rstrip(".") + suffix
    return sign + f"{number:,.0f}"


def grouped_number(value: Number | Decimal | None) -> str:
    """1,234,567 — whole units, grouped."""
    return "" if value is None else f"{Decimal(value):,.0f}"


def won(value: Number | Decimal | None) -> str:
    """₩1,234,567 — the KRW display used in labels inside charts."""
    return "" if value is None else f"₩{Decimal(value):,.0f}"


def nice_ticks(maximum: float, count: int = 4) -> list[float]:
    """Round axis steps from 0 to at least `maximum` (e.g. 0, 250, 500, 750, 1000)."""
    if maximum <= 0 or math.isnan(maximum):
        return [0.0, 1.0]
    raw_step = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw_step:
            break
    top = math.ceil(maximum / step) * step
    return [round(i * step, 10) for i in range(int(round(top / step)) + 1)]


# --- SVG building blocks ----------------------------------------------------------------------


def _svg(width: int, height: int, title: str, body: list[str], css_class: str) -> Markup:
    """Wrap the drawing in a scalable, accessible <svg> root.

    A chart is an image (role="img"), unless it holds links (drill-down): then it is a group, so the links inside
    stay reachable and are not nested in an image (axe: nested-interactive).
    """
    label = escape(title)
    role = "group" if any("<a " in part for part in body) else "img"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="{role}" aria-label="{label}" '
        f'font-family="{FONT}" preserveAspectRatio="xMidYMid meet">'
        f"<title>{label}</title>" + "".join(body) + "</svg>"
    )


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = MIN_FONT,
    anchor: str = "start",
    fill: str = MUTED,
    weight: str = "normal",
    role: str = "",
) -> str:
    """A text element with escaped content, never smaller than MIN_FONT; `role` classes let CSS resize it."""
    css = f' class="{role}"' if role else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{max(size, MIN_FONT)}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}"{css}>{escape(content)}</text>'
    )


def thinned(widths: Sequence[float], step: float, factors: Mapping[str, float] = NARROW_TEXT) -> list[str]:
    """Per label spaced `step` apart, the `minor-*` classes of the screens where its enlarged text would collide.

    On each narrow screen size every k-th label is kept, counted back from the last one (the latest period
    matters most), with k the smallest spacing at which the widest enlarged label fits.
    """
    widest = max(widths, default=0)
    classes = [""] * len(widths)
    for screen, factor in factors.items():
        every = keep_every(widest, step, factor)
        for i in range(len(widths)):
            if (len(widths) - 1 - i) % every:
                classes[i] = (classes[i] + f" minor-{screen}").strip()
    return classes


def keep_every(widest: float, step: float, factor: float = 1.0) -> int:
    """Keep one label in k so that the widest, enlarged by `factor`, fits between neighbours `step` apart."""
    return max(1, math.ceil((widest * factor + 6) / step)) if step > 0 else 1


def _every_kth_from_last(count: int, every: int) -> list[int]:
    """Indices 0..count-1 keeping one in `every`, counted back from the last (the latest period always shows)."""
    return [i for i in range(count) if (count - 1 - i) % every == 0]


def _empty(width: int, height: int, title: str, css_class: str, message: str) -> Markup:
    """A framed chart area saying there is nothing to draw."""
    body = [
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="8" fill="#f7f9fb" stroke="{GRID}"/>',
        _text(width / 2, height / 2 + 4, message, size=13, anchor="middle", role="message"),
    ]
    return _svg(width, height, title, body, css_class)


def text_width(content: str, size: float = 12) -> float:
    """Rough rendered width of a label: CJK glyphs about one em, capitals and digits 0.68 em, others 0.56 em."""
    return sum(
        size if ord(char) >= 0x1100 else size * (0.68 if char.isupper() or char.isdigit() else 0.56) for char in str(content)
    )


def _as_float(value) -> float:
    """Geometry only: None counts as zero."""
    return float(value) if value is not None else 0.0


# --- charts -----------------------------------------------------------------------------------


def bar_chart(
    data: Sequence[tuple[str, Number | Decimal]],
    *,
    title: str = "",
    width: int = 560,
    height: int | None = None,
    horizontal: bool = True,
    colour: str | Sequence[str] = NAVY,
    format_value: Callable = won,
    format_axis: Callable = compact_number,
    empty_message: str = "No data",
    links: Sequence[str | None] | None = None,
) -> Markup:
    """Bars for (label, value) pairs; horizontal (ranked lists) or vertical (periods).

    `colour` is one colour, or one per bar (e.g. highlight the current month).
    Horizontal charts grow with the number of bars when `height` is None.
    With `links` (one URL or None per bar) each bar, its label and its value are one link (drill-down to its rows).
    """
    css_class = "chart-bar"
    values = [_as_float(v) for _, v in data]
    if not data or max((abs(v) for v in values), default=0) == 0:
        return _empty(width, height or 160, title, css_class, empty_message)
    colours = [colour] * len(data) if isinstance(colour, str) else list(colour)
    top = nice_ticks(max(max(values), 0))[-1] or 1.0
    links = list(links or ())
    if horizontal:
        return _horizontal_bars(data, values, colours, title, width, height, top, format_value, css_class, links)
    return _vertical_bars(data, values, colours, title, width, height or 240, top, format_value, format_axis, css_class, links)


def _linked(parts: list[str], links: Sequence[str | None], i: int, label: str) -> list[str]:
    """The SVG parts of bar `i`, wrapped in a link when `links` gives it one."""
    link = links[i] if i < len(links) else None
    if not link:
        return parts
    return [
        f'<a href="{escape(link)}" class="chart-link chart-bar-link" data-drill="bar"><title>{escape(label)}</title>',
        *parts,
        "</a>",
    ]


def _horizontal_bars(data, values, colours, title, width, height, top, format_value, css_class, links=()) -> Markup:
    """Ranked bars: label on the left and value at the bar end, or each label above its bar when labels are long."""
    enlarged = max(NARROW_BAR_TEXT.values())  # leave room for the phone-sized text (see the module notes)
    widest_label = max(text_width(label, 12) for label, _ in data) * enlarged
    widest_value = max(text_width(format_value(value), 11.5) for _, value in data) * enlarged
    if widest_label + 16 > width * 0.42:
        return _labelled_above_bars(
            data, values, colours, title, width, height, top, format_value, css_class, widest_value, links
        )
    row, gap = 26, 8
    label_width = max(widest_label + 16, 60)
    value_width = max(widest_value + 12, 80)
    height = height or len(data) * (row + gap) + gap
    plot_width = width - label_width - value_width
    body = []
    for i, ((label, value), number) in enumerate(zip(data, values, strict=True)):
        y = gap + i * (row + gap)
        bar = max(plot_width * max(number, 0) / top, 2 if number > 0 else 0)
        colour = colours[i % len(colours)]
        parts = [
            _text(label_width - 10, y + row / 2 + 4, str(label), size=12, anchor="end", fill=INK, role="label"),
            f'<rect x="{label_width}" y="{y}" width="{plot_width:.1f}" height="{row}" rx="4" fill="#f1f4f8"/>',
            f'<rect x="{label_width}" y="{y}" width="{bar:.1f}" height="{row}" rx="4" fill="{colour}"/>',
            _text(label_width + bar + 8, y + row / 2 + 4, format_value(value), size=11.5, fill=INK, weight="600", role="value"),
        ]
        body.extend(_linked(parts, links, i, str(label)))
    return _svg(width, height, title, body, css_class + " chart-ranked")


def _labelled_above_bars(
    data, values, colours, title, width, height, top, format_value, css_class, widest_value, links=()
) -> Markup:
    """Ranked bars for long labels: the label on a line of its own with the value at its right, the bar below."""
    line, bar_height, gap = 24, 12, 10  # the label line holds the phone-sized text (≈ 18.6 user units)
    row = line + bar_height
    height = height or len(data) * (row + gap) + gap
    body = []
    for i, ((label, value), number) in enumerate(zip(data, values, strict=True)):
        y = gap + i * (row + gap)
        bar = max(width * max(number, 0) / top, 2 if number > 0 else 0)
        colour = colours[i % len(colours)]
        parts = [
            _text(0, y + line - 6, str(label), size=12, fill=INK, role="label"),
            _text(width, y + line - 6, format_value(value), size=11.5, anchor="end", fill=INK, weight="600", role="value"),
            f'<rect x="0" y="{y + line}" width="{width}" height="{bar_height}" rx="4" fill="#f1f4f8"/>',
            f'<rect x="0" y="{y + line}" width="{bar:.1f}" height="{bar_height}" rx="4" fill="{colour}"/>',
        ]
        body.extend(_linked(parts, links, i, str(label)))
    return _svg(width, height, title, body, css_class + " chart-ranked chart-ranked-above")


def _vertical_bars(data, values, colours, title, width, height, top, format_value, format_axis, css_class, links=()) -> Markup:
    """Period bars with a value axis and gridlines."""
    left, right, top_pad, bottom = 56, 12, 26, 34
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    ticks = nice_ticks(top)
    top = ticks[-1] or 1.0
    body = _grid(ticks, top, left, top_pad, plot_w, plot_h, format_axis)
    slot = plot_w / len(data)
    bar_w = min(slot * 0.62, 56)
    widest = max(text_width(str(label), MIN_FONT) for label, _ in data)
    every = keep_every(widest, slot)  # labels that would overlap even on the desktop are not drawn
    labelled = _every_kth_from_last(len(data), every)
    label_classes = dict(zip(labelled, _axis_label_classes([str(data[i][0]) for i in labelled], slot * every), strict=True))
    value_classes = thinned([text_width(format_axis(value), MIN_FONT) for _, value in data], slot)
    for i, ((label, value), number) in enumerate(zip(data, values, strict=True)):
        x = left + i * slot + (slot - bar_w) / 2
        h = plot_h * max(number, 0) / top
        y = top_pad + plot_h - h
        bar = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" rx="3" '
            f'fill="{colours[i % len(colours)]}"><title>{escape(label)}: {escape(format_value(value))}</title></rect>'
        )
        body.extend(_linked([bar], links, i, f"{label}: {format_value(value)}"))
        if i in label_classes:
            body.append(_text(x + bar_w / 2, height - bottom + 18, str(label), anchor="middle", role=label_classes[i]))
        if len(data) <= 13 and number > 0:
            body.append(
                _text(
                    x + bar_w / 2, y - 5, format_axis(value), anchor="middle", fill=INK, role=f"value {value_classes[i]}".strip()
                )
            )
    return _svg(width, height, title, body, css_class)


def _axis_label_classes(labels: Sequence[str], step: float) -> list[str]:
    """Role classes of the period labels under a chart: `tick x`, plus the ones to drop when narrow."""
    return [f"tick x {extra}".strip() for extra in thinned([text_width(label, MIN_FONT) for label in labels], step)]


def _grid(ticks, top, left, top_pad, plot_w, plot_h, format_axis) -> list[str]:
    """Horizontal gridlines with axis labels on the left."""
    lines = []
    for i, tick in enumerate(ticks):
        y = top_pad + plot_h - plot_h * tick / top
        lines.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        # phones keep every other value (from the top one down): the enlarged labels sit inside the plot
        fewer = " minor-s" if len(ticks) > 3 and (len(ticks) - 1 - i) % 2 else ""
        lines.append(_text(left - 8, y + 4, format_axis(tick), anchor="end", role="tick y" + fewer))
    return lines


def line_chart(
    labels: Sequence[str],
    series: Sequence[Number | Decimal] | Mapping[str, Sequence[Number | Decimal | None]],
    *,
    title: str = "",
    width: int = 640,
    height: int = 260,
    colours: Sequence[str] = PALETTE,
    format_value: Callable = won,
    format_axis: Callable = compact_number,
    show_values: bool = True,
    area: bool = True,
    dashed: Sequence[str] = (),
    empty_message: str = "No data",
    links: Sequence[str | None] | None = None,
) -> Markup:
    """Lines over labelled periods; `series` is one list of values or {name: values} (legend shown).

    With `links` (one URL or None per label) each period's column is a link (drill-down to that period).

    A None value leaves a gap in that series (e.g. a month without a budget).  Series named in
    `dashed` are drawn with a dashed line (targets such as a budget).  Only the first series gets
    the shaded area and value labels.
    """
    css_class = "chart-line"
    named = dict(series) if isinstance(series, Mapping) else {"": list(series)}
    numbers = [_as_float(v) for values in named.values() for v in values if v is not None]
    if not labels or not numbers or max(abs(n) for n in numbers) == 0:
        return _empty(width, height, title, css_class, empty_message)
    legend_h = 28 if len(named) > 1 or next(iter(named)) else 0
    # the right margin holds half of the last (centred) label at its enlarged phone size
    widest = max(
        [text_width(str(label), MIN_FONT) for label in labels]
        + [text_width(format_axis(v), MIN_FONT) for v in next(iter(named.values())) if v is not None]
    )
    left, right, top_pad, bottom = 60, max(18, widest * max(NARROW_TEXT.values()) / 2 + 4), 24 + legend_h, 34
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    ticks = nice_ticks(max(max(numbers), 0))
    top = ticks[-1] or 1.0
    body = _grid(ticks, top, left, top_pad, plot_w, plot_h, format_axis)
    step = plot_w / max(len(labels) - 1, 1)

    def point(i: int, value) -> tuple[float, float]:
        x = left + (i * step if len(labels) > 1 else plot_w / 2)
        return x, top_pad + plot_h - plot_h * max(_as_float(value), 0) / top

    widest_label = max(text_width(str(label), MIN_FONT) for label in labels)
    every = max(math.ceil(len(labels) / 12), keep_every(widest_label, step) if len(labels) > 1 else 1)  # ≤ ~12 labels
    shown = _every_kth_from_last(len(labels), every)
    label_classes = _axis_label_classes([str(labels[i]) for i in shown], step * every if len(labels) > 1 else plot_w)
    for i, role in zip(shown, label_classes, strict=True):
        body.append(_text(point(i, 0)[0], height - bottom + 18, str(labels[i]), anchor="middle", role=role))
    legend_x = left
    for index, (name, values) in enumerate(named.items()):
        colour = colours[index % len(colours)]
        body.extend(
            _series(
                values,
                point,
                colour,
                area and index == 0,
                top_pad + plot_h,
                format_value,
                show_values and index == 0 and len(labels) <= 13,
                name in dashed,
                format_axis,
                step,
            )
        )
        if legend_h:
            body.append(f'<rect x="{legend_x}" y="8" width="12" height="12" rx="2" fill="{colour}"/>')
            body.append(_text(legend_x + 18, 19, name, size=12, fill=INK, role="legend"))
            legend_x += 18 + text_width(name, 12) * max(NARROW_TEXT.values()) + 18
    for i, link in enumerate(links or ()):
        if link and i < len(labels):
            x = point(i, 0)[0]
            column = step if len(labels) > 1 else plot_w
            body.append(
                f'<a href="{escape(link)}" class="chart-link"><title>{escape(str(labels[i]))}</title>'
                f'<rect x="{max(x - column / 2, left):.1f}" y="{top_pad}" width="{column:.1f}" height="{plot_h + 22}"'
                ' fill="#ffffff" fill-opacity="0"/></a>'
            )
    return _svg(width, height, title, body, css_class)


def _series(
    values,
    point,
    colour,
    fill_area,
    baseline_y,
    format_value,
    show_values,
    dashed=False,
    format_label=compact_number,
    step: float = 0,
) -> list[str]:
    """One polyline (split at None gaps) with dots, an optional area and value labels (fewer on narrow screens)."""
    parts: list[list[tuple[float, float]]] = [[]]
    shapes = []
    value_classes = thinned([text_width(format_label(v), MIN_FONT) if v is not None else 0 for v in values], step)
    for i, value in enumerate(values):
        if value is None:
            parts.append([])
            continue
        x, y = point(i, value)
        parts[-1].append((x, y))
        shapes.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#fff" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(format_value(value))}</title></circle>"
        )
        if show_values:
            shapes.append(
                _text(x, y - 9, format_label(value), anchor="middle", fill=INK, role=f"value {value_classes[i]}".strip())
            )
    lines = []
    for part in parts:
        if not part:
            continue
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in part)
        if fill_area and len(part) > 1:
            area = f"{part[0][0]:.1f},{baseline_y:.1f} {coords} {part[-1][0]:.1f},{baseline_y:.1f}"
            lines.append(f'<polygon points="{area}" fill="{colour}" fill-opacity="0.08"/>')
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        lines.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5" '
            f'stroke-linejoin="round" stroke-linecap="round"{dash}/>'
        )
    return lines + shapes


def gauge(
    percent: Number | Decimal | None,
    *,
    status: str | None = None,
    caption: str = "",
    title: str = "",
    width: int = 240,
    max_percent: float = 150.0,
    no_value_text: str = "—",
) -> Markup:
    """A half-circle gauge for a usage percentage, coloured by status (OK/WARNING/OVER/NO_BUDGET).

    Marks at 90 % and 110 % show where the status changes; the needle stops at `max_percent`.
    """
    height = int(width * 0.66)
    cx, cy, radius, thickness = width / 2, width / 2 + 4, width / 2 - 22, 18
    colour = STATUS_COLOURS.get(status or "", NAVY)

    def at(pct: float, r: float) -> tuple[float, float]:
        angle = math.pi * (1 - min(max(pct, 0.0), max_percent) / max_percent)
        return cx + r * math.cos(angle), cy - r * math.sin(angle)

    def arc(start: float, end: float, stroke: str) -> str:
        (x1, y1), (x2, y2) = at(start, radius), at(end, radius)
        return (
            f'<path d="M {x1:.1f} {y1:.1f} A {radius} {radius} 0 0 1 {x2:.1f} {y2:.1f}" fill="none" '
            f'stroke="{stroke}" stroke-width="{thickness}" stroke-linecap="butt"/>'
        )

    body = [arc(0, max_percent, "#e9edf2")]
    if percent is not None:
        value = float(percent)
        if value > 0:
            body.append(arc(0, min(value, max_percent), colour))
    for mark in (90, 110):
        (x1, y1), (x2, y2) = at(mark, radius - thickness / 2 - 3), at(mark, radius + thickness / 2 + 3)
        body.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{INK}" stroke-width="1.5"/>')
        lx, ly = at(mark, radius + thickness / 2 + 12)
        body.append(_text(lx, ly + 3, f"{mark}%", size=13, anchor="middle", role="mark"))
    text = no_value_text if percent is None else f"{Decimal(percent):,.1f}%"
    body.append(
        _text(
            cx, cy - 14, text, size=26, anchor="middle", fill=colour if percent is not None else MUTED, weight="700", role="big"
        )
    )
    if caption:
        body.append(_text(cx, cy + 6, caption, size=13, anchor="middle", role="caption"))
    return _svg(width, height, title or caption, body, "chart-gauge")
